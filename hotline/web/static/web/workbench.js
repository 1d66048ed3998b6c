// hotline workbench: keyboard shortcuts, the unit picker and small helpers.
// Shortcuts are declared in the markup: data-hotkey="alt+n" on a link or button (click),
// data-hotkey-focus="/" on an input (focus).  "?" lists every shortcut of the page.
(function () {
  "use strict";

  function keyName(e) {
    var parts = [];
    if (e.ctrlKey || e.metaKey) parts.push("ctrl");
    if (e.altKey) parts.push("alt");
    if (e.shiftKey && e.key.length > 1) parts.push("shift");
    var k = e.key.length === 1 ? e.key.toLowerCase() : e.key.toLowerCase();
    if (e.altKey && e.code && e.code.indexOf("Key") === 0) k = e.code.slice(3).toLowerCase();
    if (e.altKey && e.code && e.code.indexOf("Digit") === 0) k = e.code.slice(5);
    parts.push(k);
    return parts.join("+");
  }

  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  document.addEventListener("keydown", function (e) {
    var name = keyName(e);
    if (name === "ctrl+enter") {
      var form = document.activeElement && document.activeElement.form;
      form = form || document.querySelector("form[data-primary-form]");
      if (form) {
        var primary = form.querySelector("[data-primary]") || form.querySelector("button[type=submit], button:not([type])");
        if (primary) { e.preventDefault(); primary.click(); }
      }
      return;
    }
    if (!typing(document.activeElement) || e.altKey || e.ctrlKey) {
      var target = null;
      document.querySelectorAll("[data-hotkey]").forEach(function (el) {
        if (!target && el.getAttribute("data-hotkey") === name && visible(el)) target = el;
      });
      if (target) {
        e.preventDefault();
        if (target.tagName === "DETAILS") { target.open = true; var f = target.querySelector("input, select, textarea, button"); if (f) f.focus(); }
        else if (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA") target.focus();
        else target.click();
        return;
      }
    }
    if (typing(document.activeElement)) return;
    if (e.key === "/") {
      var search = document.querySelector("[data-hotkey-focus='/']");
      if (search) { e.preventDefault(); search.focus(); search.select && search.select(); }
    } else if (e.key === "?") {
      e.preventDefault(); showHelp();
    }
  });

  function showHelp() {
    var dialog = document.getElementById("shortcut-help");
    var list = document.getElementById("shortcut-list");
    if (!dialog || !list) return;
    list.querySelectorAll("tr[data-page]").forEach(function (tr) { tr.remove(); });
    var seen = {};
    document.querySelectorAll("[data-hotkey]").forEach(function (el) {
      var key = el.getAttribute("data-hotkey");
      if (seen[key]) return;
      seen[key] = true;
      var tr = document.createElement("tr");
      tr.setAttribute("data-page", "1");
      var label = (el.getAttribute("data-hotkey-label") || el.textContent || "").replace(/Alt\+\w/g, "").trim();
      var k = document.createElement("td"); k.innerHTML = key.split("+").map(function (p) { return "<kbd>" + (p.length === 1 ? p.toUpperCase() : p.charAt(0).toUpperCase() + p.slice(1)) + "</kbd>"; }).join("+");
      var d = document.createElement("td"); d.textContent = label;
      tr.appendChild(k); tr.appendChild(d); list.appendChild(tr);
    });
    dialog.showModal();
  }
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-shortcut-help]")) showHelp();
  });

  // Unit picker (dispatch, §6.3): results are swapped by htmx, choices live in the form.
  document.addEventListener("click", function (e) {
    var lead = e.target.closest("[data-pick-lead]");
    var co = e.target.closest("[data-pick-co]");
    var remove = e.target.closest("[data-unpick]");
    if (!lead && !co && !remove) return;
    var form = e.target.closest("form") || document.querySelector("form[data-dispatch-form]");
    if (!form) return;
    if (lead) {
      form.querySelector("input[name$='lead_unit']").value = lead.getAttribute("data-pick-lead");
      form.querySelector("[data-lead-name]").textContent = lead.getAttribute("data-name");
      form.querySelector("[data-lead-name]").classList.remove("text-muted");
    }
    if (co) {
      var id = co.getAttribute("data-pick-co");
      var holder = form.querySelector("[data-co-list]");
      if (holder.querySelector("[data-co-id='" + id + "']")) return;
      var chip = document.createElement("span");
      chip.className = "badge text-bg-light border me-1";
      chip.setAttribute("data-co-id", id);
      chip.innerHTML = '<input type="hidden" name="dispatch-co_units" value="' + id + '">';
      chip.appendChild(document.createTextNode(co.getAttribute("data-name") + " "));
      var x = document.createElement("button");
      x.type = "button"; x.className = "btn-close btn-close-sm"; x.setAttribute("aria-label", "移除");
      x.setAttribute("data-unpick", id); x.style.fontSize = ".55rem";
      chip.appendChild(x);
      holder.appendChild(chip);
    }
    if (remove) {
      var c = remove.closest("[data-co-id]"); if (c) c.remove();
    }
  });

  // Suggestions panel: "采用" copies a proposed value into its field; a person decides.
  // A field is found by its id (inputs, selects) or by its name (radio groups such as
  // 紧急程度, whose inputs are id_urgency_0..2).  A value someone typed (or the citizen
  // submitted) is never overwritten by 采用: the button then reads "替换" and says what it
  // would replace, and only that explicit click replaces it.
  function fieldControls(name) {
    var el = document.getElementById("id_" + name);
    if (el) return [el];
    return Array.prototype.slice.call(document.querySelectorAll("input[name='" + name + "']"));
  }
  function fieldValue(controls) {
    if (!controls.length) return "";
    if (controls[0].type === "radio" || controls[0].type === "checkbox") {
      var on = controls.filter(function (c) { return c.checked; })[0];
      return on ? on.value : "";
    }
    return controls[0].value || "";
  }
  function setField(controls, value) {
    if (!controls.length) return false;
    var changed = controls[0];
    if (controls[0].type === "radio") {
      var match = controls.filter(function (c) { return c.value === value; })[0];
      if (!match) return false;
      match.checked = true; changed = match;
    } else {
      if (controls[0].tagName === "SELECT" && !controls[0].querySelector("option[value='" + CSS.escape(value) + "']")) return false;
      controls[0].value = value;
    }
    controls.forEach(function (c) { c.setAttribute("data-adopted", value); });
    changed.dispatchEvent(new Event("change", { bubbles: true }));
    changed.focus();
    return true;
  }
  // typed: a value that is there, differs from the suggestion and did not come from 采用.
  // Free text counts as typed as soon as it is not empty; a choice (select, radio) only
  // when a person changed it, since those start on a default.
  function typedValue(controls, value) {
    var current = fieldValue(controls);
    if (!current || current === value) return "";
    if (controls[0].getAttribute("data-adopted") === current) return "";
    var free = controls[0].tagName === "TEXTAREA" || (controls[0].tagName === "INPUT" && controls[0].type !== "radio" && controls[0].type !== "checkbox");
    if (free || controls.some(function (c) { return c.hasAttribute("data-touched"); })) return current;
    return "";
  }
  function labelFor(controls, current) {
    if (controls[0].tagName === "SELECT") {
      var opt = controls[0].options[controls[0].selectedIndex];
      return opt ? opt.text.trim() : current;
    }
    if (controls[0].type === "radio") {
      var on = controls.filter(function (c) { return c.checked; })[0];
      var lab = on && on.labels && on.labels[0];
      return lab ? lab.textContent.trim() : current;
    }
    return current;
  }
  function refreshApplyButtons(root) {
    (root || document).querySelectorAll("[data-apply-field]").forEach(function (b) {
      var controls = fieldControls(b.getAttribute("data-apply-field"));
      if (!controls.length) return;
      var typed = typedValue(controls, b.getAttribute("data-apply-value"));
      if (typed) {
        b.textContent = "替换";
        b.setAttribute("data-apply-mode", "replace");
        b.title = "替换已填写的“" + labelFor(controls, typed) + "”";
        b.setAttribute("aria-label", b.title);
      } else {
        b.textContent = "采用";
        b.removeAttribute("data-apply-mode");
        b.removeAttribute("title");
        b.removeAttribute("aria-label");
      }
    });
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-apply-field]");
    if (!b) return;
    var controls = fieldControls(b.getAttribute("data-apply-field"));
    var value = b.getAttribute("data-apply-value");
    if (typedValue(controls, value) && b.getAttribute("data-apply-mode") !== "replace") {
      refreshApplyButtons(b.parentNode);  // the typed value stays; the button now offers 替换
      return;
    }
    setField(controls, value);
    refreshApplyButtons();
  });
  // a person's own change of a choice marks it as typed
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (!e.isTrusted || !t.name || !t.form || t.form.id !== "intake-form") return;
    fieldControls(t.name).forEach(function (c) { c.setAttribute("data-touched", "1"); c.removeAttribute("data-adopted"); });
    refreshApplyButtons();
  });
  document.addEventListener("input", function (e) {
    if (e.isTrusted && e.target.form && e.target.form.id === "intake-form") refreshApplyButtons();
  });
  document.addEventListener("htmx:afterSwap", function (e) { refreshApplyButtons(e.target); });

  // Not accepted (§5.3 d): the emergency line is asked only for emergency-line matters.
  function syncEmergencyLine() {
    var reason = document.getElementById("id_reject-reason");
    var line = document.querySelector("[data-emergency-line]");
    if (reason && line) line.hidden = reason.value !== "d_emergency_line";
  }
  document.addEventListener("change", function (e) { if (e.target.id === "id_reject-reason") syncEmergencyLine(); });

  document.addEventListener("DOMContentLoaded", function () {
    syncEmergencyLine();
    var invalid = document.querySelector(".is-invalid");
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
    else if (invalid) invalid.focus();
  });
})();
