// Renders the formulas once the page is loaded: pandoc leaves TeX in <span class="math">,
// KaTeX (Debian's libjs-katex, copied beside the book: nothing is fetched) typesets it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("span.math").forEach(function (el) {
    var display = el.classList.contains("display");
    try {
      katex.render(el.textContent, el, { displayMode: display, throwOnError: false });
    } catch (e) {
      el.classList.add("katex-failed");
    }
  });
  document.body.setAttribute("data-math-done", "1");
});
