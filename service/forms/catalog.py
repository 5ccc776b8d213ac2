"""The fixed lists of the programme, read from config/ (one source each):

- Annex 1 社区教育培训内容 (13 content categories)      config/annex1_training_content.yaml
- Annex 2 建档要求 (five archive volumes 卷一–卷五)      config/annex2_archive_volumes.yaml
- 培训方式 (how a class is delivered)                   config/training_methods.yaml
- 培训模式 (the five training models of the notice)     config/training_models.yaml
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.config import CONFIG_DIR


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContentCategory(_Model):
    no: int = Field(ge=1)
    name: str = Field(min_length=1)
    text: str = Field(min_length=1)  # verbatim line without the leading 一、 numeral


class TrainingContent(_Model):
    title: str
    categories: tuple[ContentCategory, ...]

    @model_validator(mode="after")
    def _numbered(self) -> "TrainingContent":
        if [c.no for c in self.categories] != list(range(1, len(self.categories) + 1)):
            raise ValueError("培训内容类别应从1起连续编号")
        return self

    def names(self) -> list[str]:
        return [c.name for c in self.categories]

    def by_name(self, name: str) -> ContentCategory:
        for c in self.categories:
            if c.name == name:
                return c
        raise KeyError(name)


class ArchiveVolume(_Model):
    no: int = Field(ge=1)
    label: str  # 卷一
    name: str  # 领导与管理
    items: tuple[str, ...]


class ArchiveVolumes(_Model):
    title_template: str  # "{township}社区教育工作建档要求"
    volumes: tuple[ArchiveVolume, ...]

    def title(self, township: str) -> str:
        return self.title_template.format(township=township)


class TrainingModel(_Model):
    code: str
    name: str  # 短平快
    title: str  # “短、平、快”培训模式


def _read(name: str, config_dir: Path | None) -> dict:
    path = (config_dir or CONFIG_DIR) / name
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=None)
def training_content(config_dir: Path | None = None) -> TrainingContent:
    return TrainingContent.model_validate(_read("annex1_training_content.yaml", config_dir))


@lru_cache(maxsize=None)
def archive_volumes(config_dir: Path | None = None) -> ArchiveVolumes:
    return ArchiveVolumes.model_validate(_read("annex2_archive_volumes.yaml", config_dir))


@lru_cache(maxsize=None)
def training_methods(config_dir: Path | None = None) -> tuple[str, ...]:
    methods = tuple(_read("training_methods.yaml", config_dir)["methods"])
    if not methods or len(set(methods)) != len(methods) or not all(isinstance(m, str) and m for m in methods):
        raise ValueError("config/training_methods.yaml: 培训方式应为不重复的非空文字列表")
    return methods


@lru_cache(maxsize=None)
def training_models(config_dir: Path | None = None) -> tuple[TrainingModel, ...]:
    return tuple(TrainingModel.model_validate(m) for m in _read("training_models.yaml", config_dir)["models"])
