// Copyright annals authors.

#include "render/html.h"

#include "annals/event.h"
#include "render/text.h"

namespace annals {
namespace internal {
namespace render {

std::string HtmlPage(const std::string& stream, const std::string& svg,
                     const std::vector<HistoryEntry>& history) {
  const std::string title = stream + " \xE2\x80\x94 annals timeline";
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
      Xml(title) +
      "</title>\n<style>\n"
      "body{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;margin:16px;"
      "color:#0f172a;background:#fff}\n"
      "#detail{white-space:pre-line;border:1px solid #cbd5e1;border-radius:6px;"
      "padding:8px 12px;margin:8px 0;min-height:4.5em;max-width:1200px;font-size:13px;"
      "background:#f8fafc}\n"
      "g.ev{cursor:pointer}g.ev:hover rect.range{fill-opacity:0.45}\n"
      "table{border-collapse:collapse;font-size:12px;margin-top:12px}"
      "th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #e2e8f0;"
      "vertical-align:top}td:nth-child(2){white-space:nowrap}tr.hl{background:#fef9c3}\n"
      "</style></head>\n<body>\n";
  html += svg;
  html += "<div id=\"detail\">Hover over an event to see its details.</div>\n";
  html += "<table id=\"events\"><tr><th>seq</th><th>effective</th><th>type</th><th>id</th>"
          "<th>what</th><th>confidence</th><th>source</th></tr>\n";
  for (const HistoryEntry& h : history) {
    const Event& e = h.event;
    std::string flags;
    if (h.corrected) flags += " [corrected]";
    if (h.tentative) flags += " [tentative]";
    html += "<tr" + Attr("data-id", e.id()) + "><td>" + std::to_string(e.seq()) + "</td><td>" +
            Xml(e.effective().text) + "</td><td>" + Xml(e.type_name()) + "</td><td>" +
            Xml(e.id()) + "</td><td>" + Xml(DescribeEvent(e) + flags) + "</td><td>" +
            Xml(e.confidence()) + "</td><td>" + Xml(e.source_publisher()) + "</td></tr>\n";
  }
  // A derived mark (drawn for an event on another lane) names its event in data-of.
  html += "</table>\n<script>\n"
          "(function(){var d=document.getElementById('detail');\n"
          "document.querySelectorAll('g.ev').forEach(function(g){\n"
          "g.addEventListener('mouseenter',function(){var t=g.querySelector('title');\n"
          "d.textContent=t?t.textContent:'';\n"
          "var id=g.getAttribute('data-id')||g.getAttribute('data-of');\n"
          "document.querySelectorAll('#events tr').forEach(function(r){\n"
          "r.classList.toggle('hl',!!id&&r.getAttribute('data-id')===id);});});});})();\n"
          "</script>\n</body></html>\n";
  return html;
}

}  // namespace render
}  // namespace internal
}  // namespace annals
