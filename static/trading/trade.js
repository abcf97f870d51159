// Trading pages: the live price preview of the trade form and the countdowns of quotes and transfers.
// The preview asks the portal's price endpoint (the API's numbers: trading.pricing.price_get) as the user types.
(function () {
  var form = document.querySelector("form[data-price-preview]");
  if (form) {
    var out = document.querySelector("[data-preview]");
    var base = form.getAttribute("data-price-preview");
    var timer = null;
    var field = function (name) { var el = form.elements[name]; return el ? el.value.trim() : ""; };
    var show = function (text, state) { out.textContent = text; out.setAttribute("data-state", state); };
    var request = function () {
      var op = field("operation"), symbol = field("symbol"), pay = field("payment_symbol"), amount = field("amount");
      var kind, from, to, param;
      if (op.indexOf("buy_") === 0) { kind = "buy"; from = pay; to = symbol; param = "to_amount"; }
      else if (op.indexOf("sell_") === 0) { kind = "sell"; from = symbol; to = pay; param = "from_amount"; }
      else if (op === "withdraw" || op === "withdrawIco") {
        kind = op === "withdraw" ? "withdraw" : "withdraw-ico"; from = symbol; to = symbol; param = "from_amount";
      }
      if (!kind || !from || !to || !amount) { show(out.getAttribute("data-empty"), "empty"); return; }
      var query = new URLSearchParams();
      query.set(param, amount);
      var type = field("payment_type");
      if (type && (op === "buy_with_fiat" || op === "sell_to_fiat")) query.set("payment_type", type);
      var url = base.replace("KIND", kind).replace("FROM", encodeURIComponent(from)).replace("TO", encodeURIComponent(to));
      fetch(url + "?" + query.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (!res.ok) {
            var details = Object.values(res.body.errors || {}).flat();
            show([res.body.message].concat(details).join(" "), "error");
            return;
          }
          var p = res.body.data;
          var text = p.amounts.from + " " + p.assets.from + " → " + p.amounts.to + " " + p.assets.to +
            " · " + out.getAttribute("data-rate") + " " + p.rate + " · " + out.getAttribute("data-commission") +
            " " + p.commission.from + " " + p.assets.from;
          if (p.payment && p.payment.fee) text += " · " + out.getAttribute("data-fee") + " " + p.payment.fee;
          show(text, "ok");
        })
        .catch(function () { show(out.getAttribute("data-failed"), "error"); });
    };
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(request, 250); });
    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(request, 50); });
    request();
  }

  // <span data-countdown-until="UNIX"> counts down to 0; its form ([data-countdown-form]) is disabled then.
  var countdowns = document.querySelectorAll("[data-countdown-until]");
  var tick = function () {
    var now = Date.now() / 1000;
    countdowns.forEach(function (el) {
      var left = Math.max(0, Math.round(Number(el.getAttribute("data-countdown-until")) - now));
      el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left === 0 && !el.hasAttribute("data-expired")) {
        el.setAttribute("data-expired", "");
        var box = el.closest("[data-countdown-box]");
        if (box) {
          box.querySelectorAll("[data-countdown-form] button").forEach(function (b) { b.disabled = true; });
          var note = box.querySelector("[data-expired-note]");
          if (note) note.hidden = false;
        }
      }
    });
  };
  if (countdowns.length) { tick(); setInterval(tick, 1000); }
})();
