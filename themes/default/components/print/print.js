// The print page's Print button.
pbStart("pb-print", function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
