// Lists: a header check box ticks or clears every row's box of the same name
// (data-check-all="orders"), for the bulk actions (批量签收, 批量派转).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("[data-check-all]");
    if (!all) return;
    var table = all.closest("table") || document;
    var boxes = table.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]');
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = all.checked;
  });
})();
