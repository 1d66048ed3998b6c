// hotline intake form: autosave (issue 16 — intake never loses a call).
// What the agent types is sent to the server every few seconds while it changes and each
// time a field is left; the server keeps one draft per agent and form and offers it back
// after a lost session, on any machine.  When the server cannot be reached (the session
// expired, the network dropped) the status line says so in red and the page keeps trying:
// what was saved before stays on the server.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form || !form.getAttribute("data-autosave-url")) return;
  var url = form.getAttribute("data-autosave-url");
  var number = form.getAttribute("data-autosave-number") || "";
  var status = form.querySelector("[data-autosave-status]");
  var INTERVAL = 4000;
  var dirty = false, busy = false, again = false, submitted = false, last = "";

  function payload() {
    var data = new FormData(form);
    data.delete("attachments");
    data.set("number", number);
    return data;
  }
  function snapshot(data) {
    var parts = [];
    data.forEach(function (v, k) { if (k !== "csrfmiddlewaretoken") parts.push(k + "=" + v); });
    return parts.join("&");
  }
  function show(text, failed) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("wb-autosave-failed", !!failed);
  }
  // data-autosave-state on the form: "saved" when the server holds what the form shows,
  // "dirty" while it does not, "saving" during a request, "failed" when it could not.
  function state(name) { form.setAttribute("data-autosave-state", name); }
  function save() {
    if (submitted) return;
    if (busy) { again = true; return; }  // saved once the request under way is answered
    var data = payload();
    var snap = snapshot(data);
    if (snap === last) { dirty = false; state("saved"); return; }
    busy = true; again = false; state("saving");
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Autosave": "1", "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" },
    }).then(function (r) {
      busy = false;
      if (r.ok) {
        last = snap;
        return r.json().then(function (j) {
          show("已自动保存 " + j.saved_at);
          if (snapshot(payload()) !== last) { dirty = true; state("dirty"); save(); }
          else { dirty = false; state(again ? "dirty" : "saved"); if (again) save(); }
        });
      }
      if (r.status === 409) { submitted = true; return; }
      state("failed");
      show("自动保存失败（登录可能已失效）：请重新登录，已填写内容不会丢失", true);
    }).catch(function () {
      busy = false; state("failed");
      show("自动保存失败（网络中断）：内容暂留在本页，恢复后自动保存", true);
    });
  }
  function changed(e) {
    if (e.target && e.target.form === form && e.target.type !== "file") { dirty = true; state("dirty"); }
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // leaving a field saves at once
  form.addEventListener("focusout", function (e) { if (dirty) save(); });
  setInterval(function () { if (dirty) save(); }, INTERVAL);
  form.addEventListener("submit", function () { submitted = true; });
  last = snapshot(payload());
  state("saved");
})();
