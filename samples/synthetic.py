"""A deterministic synthetic records dataset (marked synthetic) for a sample year, built from the units file.

`generate(units, spec)` uses only `random.Random(spec["seed"])` and ordered iteration, so the same units file and
spec give the same records on every machine and Python 3.11+ (`digest()` is checked against dataset.sha256).
Names, phone numbers, attendance, scores and money are invented. The records go through the same writer as an
Excel import (service.records.store.writer), so a loaded sample is exactly what an import of it would store.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from service.records.store.writer import Batch, ClassRec, EnrolmentRec, TeacherRec, TraineeRec
from service.records.vocab import ATTENDANCE_MARKS, training_methods, training_models
from service.units import UnitsFile

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("建国 德明 秀英 桂兰 玉珍 明华 志强 国华 永红 小燕 丽 芳 敏 静 军 勇 杰 磊 涛 波 强 平 刚 辉 霞 红 燕 娟 英 华 "
         "兰 萍 梅 琴 云 莉 玲 婷 雪 洁 俊 鹏 浩 宇 轩 欣 怡 思 雨 晨 文 斌 超 林 春 秋 冬 福 贵 发 才 万 成 兴 荣 "
         "学 光 海 山 川 凤 翠 菊 珍 素 淑 秀 桂 金 银 宝 德 仁 义 礼 智 信 忠 孝 安 康 宁 泰 顺 利 祥 瑞 云 龙 虎 "
         "子涵 梓轩 一鸣 浩然 雨涵 欣怡 佳怡 诗涵 梦琪 思远 天佑 家豪 晓东 晓梅 海燕 春花 秋菊 冬梅 大富 二娃 "
         "永福 永贵 长春 长林 少华 少军 建华 建军 建平 建英 正兴 正明 光明 光荣 世民 世华 显贵 显荣").split()
MOBILE_PREFIXES = ("130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
                   "180 181 182 183 184 185 186 187 188 189 177 176 166 199 198").split()

TITLES = {
    1: ["党的十九大精神宣讲", "十九届四中全会精神学习", "新时代思想理论学习", "社会主义核心价值观宣讲", "乡村振兴政策宣讲"],
    2: ["农村政策法规知识讲座", "民法典普法讲座", "创业理念与技巧培训", "农产品市场营销", "旅游文明礼仪培训",
        "农产品质量安全知识"],
    3: ["社区治安与安全防范", "物业管理知识培训", "家政服务技能培训", "老年人照护与服务", "垃圾分类与社区服务"],
    4: ["柑橘高效栽培技术", "水稻科学育秧", "油菜高产栽培", "青菜头病虫害综合防治", "生猪标准化规模养殖",
        "水产生态健康养殖", "大棚蔬菜高效栽培", "动物疫病防治", "无公害农产品生产", "花卉栽培技术"],
    5: ["成人识字班", "现代生活常识培训", "现代农业技术普及", "实用算术与读写"],
    6: ["农家乐经营与服务", "饭店服务与管理", "乡村旅游服务技能", "商品经营入门"],
    7: ["慢性病防治知识讲座", "妇幼保健知识讲座", "老年人保健护理", "疫情防控知识讲座", "家庭急救技能培训",
        "中医药健康养生"],
    8: ["计算机基础应用", "电商直播带货入门", "电子支付与防诈骗", "智能手机应用培训", "农村电商管理"],
    9: ["榨菜加工与营销", "农产品深加工技术", "特色食品加工培训"],
    10: ["水电安装技能培训", "建筑施工安全知识", "给排水安装实训"],
    11: ["家风家训与文明礼仪", "尊老爱幼道德讲堂", "环保意识与美丽家园建设", "见义勇为事迹宣讲", "文明餐桌与移风易俗"],
    12: ["摆手舞健身培训", "书法兴趣班", "二胡入门", "太极拳健身培训", "农民篮球运动培训", "广场舞培训"],
    13: ["心理健康与调适讲座", "科学育儿知识讲座", "消防安全知识培训", "交通安全知识宣讲"],
}
CATEGORY_WEIGHTS = {
    "村": {4: 30, 1: 8, 2: 10, 3: 6, 7: 10, 11: 10, 12: 8, 8: 6, 9: 6, 5: 3, 6: 2, 10: 4, 13: 2},
    "居委": {2: 12, 3: 12, 7: 10, 8: 12, 11: 10, 12: 12, 6: 8, 1: 8, 10: 4, 9: 3, 4: 4, 5: 2, 13: 3},
    "学校": {11: 20, 8: 15, 12: 15, 7: 10, 1: 10, 2: 5, 3: 5, 13: 15, 5: 5},
    "农技": {4: 70, 9: 20, 2: 10},
    "卫生": {7: 90, 3: 10},
    "相关单位": {1: 25, 12: 30, 11: 20, 2: 15, 8: 10},
}
TEACHES = {  # teacher source -> categories taught
    "农技": (4, 9, 2),
    "卫生院": (7, 3, 13),
    "学校": (1, 2, 3, 5, 8, 11, 12, 13),
    "社会": (2, 4, 6, 8, 9, 10, 12),
}
PREFERRED = {  # class category -> trainee categories it mostly draws
    4: ("农民",), 9: ("农民", "进城务工"), 7: ("老年", "家长"), 12: ("老年",), 11: ("家长", "青少年"),
    13: ("家长",), 8: ("青少年", "进城务工", "下岗待业"), 10: ("进城务工", "下岗待业"), 6: ("下岗待业", "进城务工"),
    3: ("老年", "管理人员"), 2: ("农民", "管理人员"), 1: ("管理人员", "其他"), 5: ("老年", "农民"),
}
CATEGORY_MIX = {  # home unit kind -> (primary category, weight)
    "村": (("农民", 60), ("老年", 10), ("进城务工", 10), ("家长", 8), ("青少年", 6), ("下岗待业", 2),
          ("管理人员", 2), ("其他", 2)),
    "居委": (("老年", 20), ("下岗待业", 10), ("进城务工", 10), ("家长", 20), ("青少年", 10), ("管理人员", 5),
           ("农民", 5), ("其他", 20)),
    "学校": (("管理人员", 60), ("其他", 40)),
}
CAPPED = {"下岗待业": "laid_off", "进城务工": "migrant_workers", "管理人员": "managers"}  # category -> registered count
BIRTH = {"老年": (1938, 1960), "青少年": (2003, 2012), "家长": (1975, 1995), "农民": (1950, 1990),
         "进城务工": (1972, 2000), "下岗待业": (1965, 1990), "管理人员": (1965, 1992), "其他": (1950, 2000)}
SOCIAL_ROLES = ("柑橘种植大户", "农村经纪人", "企业带头人", "乡村能人", "退休教师", "致富带头人")
VOLUNTEER_ROLES = ("退休教师", "村（居）干部", "大学生志愿者", "党员志愿者", "乡村医生", "致富能人", "妇女代表")
ACTIVITY_TITLES = {
    "假期儿童活动": ["暑期少儿书画活动", "暑期防溺水安全教育", "寒假读书分享会", "暑期趣味运动会", "非遗手工体验"],
    "亲子活动": ["亲子阅读活动", "亲子运动会", "亲子手工制作", "亲子种植体验", "家庭教育亲子课堂"],
    "志愿服务": ["敬老院志愿服务", "义诊进村志愿服务", "环境整治志愿服务", "留守儿童关爱行动", "防疫志愿服务"],
    "其他活动": ["社区文艺汇演", "全民阅读推广活动", "农民丰收节文艺活动"],
}


@dataclass
class Dataset:
    """Everything the sample year holds besides the units: records for the writer, and the rest."""

    spec: dict
    batch: Batch = field(default_factory=Batch)
    activities: list[dict] = field(default_factory=list)
    volunteers: list[dict] = field(default_factory=list)
    funding: list[dict] = field(default_factory=list)

    def canonical(self) -> bytes:
        """Stable JSON of the whole dataset (the digest's input)."""
        data = {
            "teachers": [asdict(t) for t in self.batch.teachers],
            "classes": [asdict(c) for c in self.batch.classes],
            "trainees": [asdict(t) for t in self.batch.trainees],
            "enrolments": [asdict(e) for e in self.batch.enrolments],
            "activities": self.activities, "volunteers": self.volunteers, "funding": self.funding,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":")).encode()

    def digest(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


class _Gen:
    def __init__(self, units: UnitsFile, spec: dict):
        self.rng = random.Random(int(spec["seed"]))
        self.units = units.units
        self.spec = spec
        self.year = int(spec["year"])
        self.first = _day(spec["first_day"])
        self.last = _day(spec["last_day"])
        self.phones: set[str] = set()
        self.big_key: tuple | None = None
        self.data = Dataset(spec=spec)

    # -- small helpers -----------------------------------------------------------------------------------
    def unit(self, name: str):
        return next(u for u in self.units if u.name == name)

    def pick(self, weighted: dict | tuple):
        items = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
        return self.rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def day(self, start: dt.date, end: dt.date) -> dt.date:
        while True:
            d = start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))
            if d.weekday() != 6:  # no classes on Sundays
                return d

    # -- teachers ----------------------------------------------------------------------------------------
    def teachers(self) -> list[TeacherRec]:
        schools = [u.name for u in self.units if u.kind == "学校"]
        agri = next((u.name for u in self.units if "农业" in u.name), None)
        clinic = next((u.name for u in self.units if "卫生" in u.name), None)
        villages = [u.name for u in self.units if u.kind in ("村", "居委")]
        total = int(self.spec["teachers"])
        plan = (["学校"] * (total * 45 // 100) + ["农技"] * (total * 15 // 100) + ["卫生院"] * (total * 15 // 100))
        plan += ["社会"] * (total - len(plan))
        names: set[str] = set()
        out = []
        for i, source in enumerate(plan):
            name = self.name()
            while name in names:
                name = self.name()
            names.add(name)
            if source == "学校":
                org, spec_ = schools[i % len(schools)], "教师"
            elif source == "农技":
                org, spec_ = agri, "农技师"
            elif source == "卫生院":
                org, spec_ = clinic, "医师"
            else:
                org, spec_ = self.rng.choice(villages), self.rng.choice(SOCIAL_ROLES)
            out.append(TeacherRec(name, source, org, spec_, self.mobile(), self.rng.random() < 0.7))
        return out

    # -- trainees ----------------------------------------------------------------------------------------
    def trainees(self) -> list[TraineeRec]:
        homes = [u for u in self.units if u.kind in ("村", "居委") and u.resident_population > 0]
        schools = [u for u in self.units if u.kind == "学校"]
        total = int(self.spec["trainees"])
        school_share = total * 2 // 100
        population = sum(u.resident_population for u in homes)
        quota = {u.name: (total - school_share) * u.resident_population // population for u in homes}
        leftover = total - school_share - sum(quota.values())
        for u in homes[:leftover]:
            quota[u.name] += 1
        for i in range(school_share):
            quota[schools[i % len(schools)].name] = quota.get(schools[i % len(schools)].name, 0) + 1
        kinds = {u.name: u.kind for u in self.units}
        out = []
        for unit, n in quota.items():
            seen: set[tuple[str, str]] = set()
            # a registered category never has more trainees than the unit registered (rates stay <= 100%)
            room = {cat: getattr(self.unit(unit).registered, attr) for cat, attr in CAPPED.items()}
            for _ in range(n):
                mix = CATEGORY_MIX["学校" if kinds[unit] == "学校" else kinds[unit]]
                primary = self.pick(tuple((c, w) for c, w in mix if room.get(c, 1) > 0))
                low, high = BIRTH[primary]
                born = self.rng.randint(low, high)
                cats = [primary]
                if primary == "农民" and born <= 1960:
                    cats.append("老年")
                if primary == "家长" and self.rng.random() < 0.15 and room["进城务工"] > 0:
                    cats.append("进城务工")
                for c in cats:
                    if c in room:
                        room[c] -= 1
                has_phone = not (primary in ("老年", "青少年") and self.rng.random() < 0.35)
                name = self.name()
                phone = self.mobile() if has_phone else ""
                while (name, phone) in seen:
                    name = self.name()
                seen.add((name, phone))
                order = ("农民", "下岗待业", "进城务工", "老年", "青少年", "家长", "管理人员", "其他")
                out.append(TraineeRec(unit, name, phone, self.rng.choice("男女"), born,
                                      tuple(c for c in order if c in cats)))
        return out

    # -- classes -----------------------------------------------------------------------------------------
    def class_mix(self, unit) -> dict:
        if unit.kind == "相关单位":
            key = "农技" if "农业" in unit.name else "卫生" if "卫生" in unit.name else "相关单位"
            return CATEGORY_WEIGHTS[key]
        return CATEGORY_WEIGHTS[unit.kind]

    def classes(self, teachers: list[TeacherRec]) -> list[ClassRec]:
        weights = {u.name: {"村": 2.2, "居委": 2.2, "学校": 1.0}.get(u.kind, 5 / 3) for u in self.units}
        total_w = sum(weights.values())
        target = int(self.spec["classes"]) - 1  # the big class is added separately
        counts = {n: int(target * w / total_w) for n, w in weights.items()}
        for n in list(counts)[: target - sum(counts.values())]:
            counts[n] += 1
        methods = training_methods()
        models = [m.code for m in training_models()]
        by_cat: dict[int, list[TeacherRec]] = {}
        for t in teachers:
            for c in TEACHES[t.source]:
                by_cat.setdefault(c, []).append(t)
        out: list[ClassRec] = []
        keys: set[tuple] = set()
        for unit in self.units:
            for _ in range(counts[unit.name]):
                cat = self.pick(self.class_mix(unit))
                title = self.rng.choice(TITLES[cat])
                start = self.day(self.first, self.last)
                while (unit.name, title, start) in keys:
                    start = self.day(self.first, self.last)
                keys.add((unit.name, title, start))
                sessions = self.pick({1: 30, 2: 25, 3: 20, 4: 12, 5: 8, 6: 5})
                gap = self.rng.choice((1, 1, 2, 7))
                end = min(start + dt.timedelta(days=gap * (sessions - 1)), self.last)
                method = self.pick({m: (1 if m == "其他" else 4) for m in methods})
                per = 3 if method in ("实训操作", "现场教学") else 2
                local = [t for t in by_cat[cat] if t.organisation == unit.name]
                pool = local if local and self.rng.random() < 0.7 else by_cat[cat]
                chosen = self.rng.sample(pool, 2 if len(pool) > 1 and self.rng.random() < 0.2 else 1)
                place = unit.activity_room if method != "现场教学" else f"{unit.name}示范基地"
                out.append(ClassRec(
                    unit.name, title, start, end, cat, self.rng.choice(models), method, place[:80], sessions,
                    sessions * per, tuple(t.name for t in chosen), _audience(unit.kind, cat),
                    f"通过{sessions}次课，使学员掌握{title}的基本知识和实用技能。"))
        big_unit = next((u for u in self.units if u.kind == "相关单位" and "文化" in u.name), self.units[-1])
        big_day = self.day(self.first, self.first + dt.timedelta(days=20))
        lecturer = next((t for t in teachers if t.source == "卫生院"), teachers[0])
        big = ClassRec(big_unit.name, "疫情防控与健康生活大讲堂", big_day, big_day, 7, models[0], methods[0],
                       big_unit.activity_room[:80], 1, 2, (lecturer.name,), "全镇居民", "普及疫情防控和健康生活知识。")
        self.big_key = big.key
        out.append(big)
        out.sort(key=lambda c: (c.start_date, c.unit, c.title))
        return out

    # -- enrolments --------------------------------------------------------------------------------------
    def enrolments(self, classes: list[ClassRec], trainees: list[TraineeRec]) -> list[EnrolmentRec]:
        kinds = {u.name: u.kind for u in self.units}
        by_unit: dict[str, list[TraineeRec]] = {}
        for t in trainees:
            by_unit.setdefault(t.unit, []).append(t)
        low, high = self.spec["class_size"]
        big = int(self.spec["big_class"])
        members: dict[int, list[TraineeRec]] = {}
        for idx, c in enumerate(classes):
            size = big if c.key == self.big_key else min(high, max(low, int(self.rng.triangular(low, high, 28))))
            local = by_unit.get(c.unit, []) if kinds[c.unit] in ("村", "居委", "学校") else []
            pool = local if local and kinds[c.unit] != "学校" else trainees
            if kinds[c.unit] != "相关单位" and local and kinds[c.unit] != "学校":
                n_out = size * 15 // 100
                chosen = self._weighted(local, c.category_no, size - n_out)
                outsiders = [t for t in trainees if t.unit != c.unit]
                chosen += self._weighted(outsiders, c.category_no, n_out, step=7)
            else:
                chosen = self._weighted(pool, c.category_no, size, step=3)
            members[idx] = chosen
        enrolled = {id(t) for ms in members.values() for t in ms}
        open_classes = [i for i, c in enumerate(classes) if c.key != self.big_key]
        for t in trainees:  # everyone registered takes part in at least one class
            if id(t) not in enrolled:
                home = [i for i in open_classes if classes[i].unit == t.unit] or open_classes
                members[self.rng.choice(home)].append(t)
        out = []
        for idx, c in enumerate(classes):
            for t in sorted(members[idx], key=lambda t: t.key):
                marks = "".join(self.pick({"到": 86, "迟": 5, "假": 5, "缺": 4}) for _ in range(c.sessions))
                assert set(marks) <= set(ATTENDANCE_MARKS)
                notes = max(40, min(100, round(self.rng.gauss(80, 10))))
                question = max(30, min(100, round(self.rng.gauss(75, 12))))
                out.append(EnrolmentRec(c.key, t.key, marks, notes, question))
        return out

    def _weighted(self, pool: list[TraineeRec], category_no: int, k: int, step: int = 1) -> list[TraineeRec]:
        """k distinct trainees, those of the class's preferred categories three times as likely (A-Res)."""
        preferred = set(PREFERRED.get(category_no, ()))
        candidates = pool[self.rng.randrange(step)::step] if step > 1 and len(pool) > 3 * k * step else pool
        scored = []
        for i, t in enumerate(candidates):
            w = 3.0 if preferred & set(t.categories) else 1.0
            scored.append((self.rng.random() ** (1 / w), i, t))
        scored.sort(reverse=True)
        return [t for _, _, t in scored[:k]]

    # -- activities, volunteers, funding -----------------------------------------------------------------
    def activities(self) -> None:
        summer = (dt.date(self.year, 7, 10), dt.date(self.year, 8, 25))
        for u in self.units:
            plan = {"村": {"假期儿童活动": 2, "亲子活动": 2, "志愿服务": 3},
                    "居委": {"假期儿童活动": 3, "亲子活动": 3, "志愿服务": 4},
                    "学校": {"假期儿童活动": 1, "亲子活动": 2},
                    "相关单位": {"志愿服务": 2, "其他活动": 2}}[u.kind]
            for kind, n in plan.items():
                for title in self.rng.sample(ACTIVITY_TITLES[kind], min(n, len(ACTIVITY_TITLES[kind]))):
                    held = self.day(*summer) if kind == "假期儿童活动" else self.day(self.first, self.last)
                    people = {
                        "假期儿童活动": {"青少年": self.rng.randint(20, 60), "家长": self.rng.randint(0, 10)},
                        "亲子活动": {"家长": self.rng.randint(15, 40), "青少年": self.rng.randint(15, 40)},
                        "志愿服务": {"老年": self.rng.randint(10, 40), "管理人员": self.rng.randint(2, 6),
                                 "其他": self.rng.randint(5, 15)},
                        "其他活动": {"老年": self.rng.randint(30, 80), "其他": self.rng.randint(30, 100),
                                 "青少年": self.rng.randint(10, 40)},
                    }[kind]
                    self.data.activities.append({"unit": u.name, "kind": kind, "title": title,
                                                 "held_on": held.isoformat(), "location": u.activity_room,
                                                 "participants": people})
        self.data.activities.sort(key=lambda a: (a["held_on"], a["unit"], a["title"]))

    def volunteers(self, teachers: list[TeacherRec]) -> None:
        unit_names = {u.name for u in self.units}
        centre = next((u.name for u in self.units if "文化" in u.name), self.units[0].name)
        for t in teachers:
            if t.volunteer:
                self.data.volunteers.append({"unit": t.organisation if t.organisation in unit_names else centre,
                                             "name": t.name, "phone": t.phone or "", "teacher": t.name,
                                             "occupation": t.speciality, "joined_on": f"{self.year}-03-01"})
        share = float(self.spec["volunteer_share"])
        for u in self.units:
            for _ in range(round(u.resident_population * share)):
                joined = self.day(dt.date(self.year - 1, 1, 1), dt.date(self.year, 6, 30))
                self.data.volunteers.append({"unit": u.name, "name": self.name(), "phone": self.mobile(),
                                             "teacher": None, "occupation": self.rng.choice(VOLUNTEER_ROLES),
                                             "joined_on": joined.isoformat()})

    def funding(self, classes: list[ClassRec]) -> None:
        per_head = Decimal(self.spec["funding_per_resident"])
        for u in self.units:
            n_classes = sum(1 for c in classes if c.unit == u.name)
            income = []
            if u.resident_population:
                income.append(("镇财政拨款", per_head * u.resident_population,
                               f"{self.year}年社区教育经费（人均{per_head}元）"))
                income.append(("村（居）自筹", Decimal(self.rng.randrange(500, 2001, 100)), "社区教育活动自筹经费"))
            elif u.kind == "学校":
                income.append(("学校公用经费", Decimal(self.rng.randrange(1000, 3001, 100)), "职工教育培训经费"))
            else:
                income.append(("单位培训经费", Decimal(self.rng.randrange(3000, 8001, 100)), "社区教育培训经费"))
                if "文化" in u.name:
                    income.append(("区级社区教育补助", Decimal(10000), "社区教育学校运行补助"))
            total_in = sum(a for _, a, _ in income)
            for source, amount, purpose in income:
                self.data.funding.append({"unit": u.name, "direction": "收入", "source": source,
                                          "amount": f"{amount:.2f}", "booked_on": f"{self.year}-05-15",
                                          "purpose": purpose})
            fees = Decimal(100 * n_classes)
            rest = total_in * Decimal("0.85") - fees
            spent = [("教师课酬", fees, f"{n_classes}个培训班授课补贴")]
            if rest > 0:
                printing = (rest * Decimal("0.4")).quantize(Decimal("1"))
                spent += [("资料印刷", printing, "培训资料印刷"), ("活动耗材", rest - printing, "学习活动耗材")]
            for i, (source, amount, purpose) in enumerate(spent):
                self.data.funding.append({"unit": u.name, "direction": "支出", "source": source,
                                          "amount": f"{amount:.2f}", "booked_on": f"{self.year}-{9 + i:02d}-30",
                                          "purpose": purpose})

    def run(self) -> Dataset:
        teachers = self.teachers()
        trainees = self.trainees()
        classes = self.classes(teachers)
        enrolments = self.enrolments(classes, trainees)
        self.data.batch = Batch(teachers=teachers, classes=classes, trainees=trainees, enrolments=enrolments)
        self.activities()
        self.volunteers(teachers)
        self.funding(classes)
        return self.data


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _audience(kind: str, category: int) -> str:
    if kind == "学校":
        return "学生家长"
    if category in (4, 9):
        return "种养殖户"
    if category in (7, 12):
        return "中老年居民"
    return "辖区居民"


def generate(units: UnitsFile, spec: dict) -> Dataset:
    """The synthetic dataset described by `spec` (see samples/<set>/records/dataset.yaml) for `units`."""
    if not spec.get("synthetic"):
        raise ValueError("样例数据说明文件必须标明 synthetic: true（合成数据）")
    return _Gen(units, spec).run()
