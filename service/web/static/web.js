/* 社教文书 pages: small progressive enhancements (the pages work without them). No inline scripts (CSP). */
(function () {
  "use strict";

  // Body blocks of the notice form: add, remove, move up/down; names follow the on-screen order.
  function renumber(list) {
    Array.prototype.forEach.call(list.querySelectorAll("li.block"), function (li, i) {
      li.querySelectorAll("[data-name]").forEach(function (el) {
        el.name = "blocks." + i + "." + el.getAttribute("data-name");
        el.id = "b-" + i + "-" + el.getAttribute("data-name");
      });
      li.querySelectorAll("label[for]").forEach(function (label) {
        label.htmlFor = label.htmlFor.replace(/^b-\d+-/, "b-" + i + "-");
      });
      li.querySelectorAll(".bno").forEach(function (s) { s.textContent = String(i + 1); });
    });
  }

  function setupBlocks() {
    var list = document.querySelector(".block-list");
    var add = document.getElementById("add-block");
    if (!list || !add) return;
    list.addEventListener("click", function (ev) {
      var btn = ev.target.closest("button");
      if (!btn) return;
      var li = btn.closest("li.block");
      if (btn.hasAttribute("data-remove")) {
        if (list.querySelectorAll("li.block").length > 1) { li.remove(); }
        else { li.querySelector("textarea").value = ""; }
        renumber(list);
        var first = list.querySelector("textarea");
        if (first) first.focus();
        return;
      }
      var step = Number(btn.getAttribute("data-move") || 0);
      if (step < 0 && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
      if (step > 0 && li.nextElementSibling) list.insertBefore(li.nextElementSibling, li);
      renumber(list);
      btn.focus();
    });
    add.addEventListener("click", function () {
      var last = list.querySelector("li.block:last-child");
      var li = last.cloneNode(true);
      li.querySelectorAll(".error").forEach(function (e) { e.remove(); });
      li.querySelector("textarea").value = "";
      li.querySelector("textarea").removeAttribute("aria-invalid");
      li.querySelector("textarea").removeAttribute("aria-describedby");
      list.appendChild(li);
      renumber(list);
      li.querySelector("textarea").focus();
    });
  }

  // Progress bars: poll the job's progress; a job page reloads once to show its downloads.
  function setupProgress() {
    document.querySelectorAll("[data-progress-url]").forEach(function (box) {
      var bar = box.querySelector("progress");
      var reload = box.closest("[data-reload-when-done]");
      if (box.getAttribute("data-finished") === "1") return;
      function tick() {
        fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (p) {
            if (!p) return;
            bar.value = p.percent;
            bar.textContent = p.percent + "%";
            box.querySelector(".pstate").textContent = p.state_text;
            box.querySelector(".pcount").textContent = p.done + "/" + p.total;
            box.querySelector(".ppct").textContent = p.percent + "%";
            if (p.finished) {
              if (reload && !reload.hasAttribute("data-done")) { reload.setAttribute("data-done", "1"); window.location.reload(); }
              return;
            }
            window.setTimeout(tick, 1000);
          })
          .catch(function () { window.setTimeout(tick, 3000); });
      }
      tick();
    });
  }

  // Confirmations and copying.
  function setupMisc() {
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (ev) {
        if (!window.confirm(f.getAttribute("data-confirm"))) ev.preventDefault();
      });
    });
    document.querySelectorAll("[data-copy]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var input = document.getElementById(btn.getAttribute("data-copy"));
        input.select();
        if (navigator.clipboard) navigator.clipboard.writeText(input.value);
        btn.textContent = "已复制";
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupBlocks();
    setupProgress();
    setupMisc();
  });
})();
