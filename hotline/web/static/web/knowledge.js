// 知识库 panel of the intake page (web/intake/_knowledge.html), a file for the CSP.
(function () {
  // loaded again when the panel is swapped in: one listener is enough
  if (window.hotlineKnowledgeUse) return;
  window.hotlineKnowledgeUse = true;
  // "引用答复": the entry's answer goes into the direct-handling reply and its id into the
  // hidden direct-knowledge_entry, which the direct close links to the order.
  document.addEventListener("click", function (e) {
    var use = e.target.closest("[data-knowledge-use]");
    var clear = e.target.closest("[data-knowledge-clear]");
    var chosen = document.querySelector("[data-knowledge-chosen]");
    var hidden = document.getElementById("id_direct-knowledge_entry");
    if (use) {
      var answer = document.getElementById("id_direct-answer");
      if (answer) { answer.value = use.getAttribute("data-answer"); answer.dispatchEvent(new Event("input", { bubbles: true })); }
      if (hidden) hidden.value = use.getAttribute("data-knowledge-use");
      if (chosen) { chosen.hidden = false; chosen.querySelector("[data-knowledge-chosen-title]").textContent = use.getAttribute("data-title"); }
      var box = document.getElementById("direct-box");
      if (box) { box.open = true; box.scrollIntoView({ block: "nearest" }); }
      if (answer) answer.focus();
    } else if (clear) {
      if (hidden) hidden.value = "";
      if (chosen) chosen.hidden = true;
    }
  });
})();
