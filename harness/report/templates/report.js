(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.cells[index];
    return cell.getAttribute("data-value") || cell.textContent.trim();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          var nx = Number(x), ny = Number(y);
          var order = (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny))
            ? nx - ny : x.localeCompare(y);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  var data = document.getElementById("frames");
  var frames = data ? JSON.parse(data.textContent) : {};
  var full = frames.full || {};
  var thumbs = frames.thumb || {};
  document.querySelectorAll("img[data-thumb]").forEach(function (image) {
    var source = thumbs[image.getAttribute("data-thumb")];
    if (source) { image.src = source; }
  });
  var viewer = document.getElementById("viewer");
  var large = document.getElementById("viewer-image");
  document.querySelectorAll("button.thumb").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = full[button.getAttribute("data-frame")];
      if (!source || !viewer) { return; }
      large.src = source;
      viewer.showModal();
    });
  });
  if (viewer) { viewer.addEventListener("click", function () { viewer.close(); }); }
}());
