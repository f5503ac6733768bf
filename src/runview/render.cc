#include "runview/render.h"

#include <cstdio>

#include "term/escape.h"
#include "util/text.h"

namespace chaos {
namespace {

using nlohmann::json;

// Every value here comes from a plugin or the managed machine: shown with its control
// characters escaped, so it cannot move the cursor or erase what the user is about to confirm.
std::string scalar_text(const json& value) {
  if (value.is_string()) return visible(value.get<std::string>());
  return visible(value.dump());
}

// A member that is absent, null or not a string shows as `fallback`.
std::string text_of(const json& object, const char* key, const std::string& fallback = "") {
  auto it = object.is_object() ? object.find(key) : object.end();
  return visible(it != object.end() && it->is_string() ? it->get_ref<const std::string&>() : fallback);
}

void render_items(const json& items, const std::string& mark, Tone tone, const Painter& paint, std::string& out) {
  auto line = [&](const std::string& text) { out += "      " + paint(tone, mark + " " + text) + "\n"; };
  if (items.is_array()) {
    for (const auto& item : items) line(scalar_text(item));
  } else if (items.is_object()) {
    for (const auto& [k, v] : items.items()) line(visible(k) + ": " + scalar_text(v));
  } else if (!items.is_null()) {
    line(scalar_text(items));
  }
}

bool has_items(const json& v) {
  if (v.is_null()) return false;
  if (v.is_array() || v.is_object() || v.is_string())
    return !v.empty() && !(v.is_string() && v.get<std::string>().empty());
  return true;
}

}  // namespace

std::string format_seconds(double seconds) {
  char buf[32];
  if (seconds < 1) {
    std::snprintf(buf, sizeof buf, "%.0f ms", seconds * 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f s", seconds);
  }
  return buf;
}

std::string render_delta(const json& delta, const Painter& paint) {
  std::string out;
  for (const auto& [section, mark, tone] :
       {std::tuple{"to_add", "+", Tone::green}, std::tuple{"to_remove", "-", Tone::red}}) {
    const json& part = delta.value(section, json::object());
    if (!part.is_object()) continue;
    for (const auto& [key, items] : part.items()) {
      if (!has_items(items)) continue;
      out += "    " + paint(Tone::bold, visible(key)) +
             paint(Tone::dim, std::string(" (") + (mark[0] == '+' ? "add" : "remove") + ")") + "\n";
      render_items(items, mark, tone, paint, out);
    }
  }
  return out;
}

std::string render_host_error(const json& error, const Painter& paint, size_t traceback_lines) {
  std::string out = paint(Tone::red, "error:") + " ";
  std::string role = text_of(error, "role");
  std::string host = text_of(error, "host");
  std::string phase = text_of(error, "phase");
  if (!role.empty()) {
    out += "role `" + role + "`";
    if (!host.empty()) out += " on " + host;
    if (!phase.empty()) out += " failed in " + phase;
    out += ": ";
  } else if (!host.empty()) {
    out += host + ": ";
  }
  auto message = error.find("message");
  out += (message != error.end() && message->is_string() ? visible_lines(message->get_ref<const std::string&>())
                                                         : std::string("unknown error")) +
         "\n";
  std::string where;
  if (error.contains("plugin")) where += "plugin " + text_of(error, "plugin");
  if (error.contains("entry_point"))
    where += std::string(where.empty() ? "" : ", ") + "entry point " + text_of(error, "entry_point");
  if (error.contains("file")) {
    where += std::string(where.empty() ? "" : ", ") + text_of(error, "file");
    for (const char* key : {"line", "column"}) {
      if (error.contains(key) && error[key].is_number_integer())
        where += ":" + std::to_string(error[key].get<int64_t>());
    }
  }
  if (!where.empty()) out += "  " + paint(Tone::dim, "-->") + " " + where + "\n";
  std::string tb =
      error.contains("traceback") && error["traceback"].is_string() ? error["traceback"].get<std::string>() : "";
  if (!tb.empty()) {
    std::vector<std::string> lines = split_lines(tb);
    size_t first = lines.size() > traceback_lines ? lines.size() - traceback_lines : 0;
    for (size_t i = first; i < lines.size(); ++i) out += "  " + paint(Tone::dim, "| " + visible(lines[i])) + "\n";
  }
  return out;
}

std::string render_operation(const json& op, const Painter& paint) {
  std::string status = op.value("status", "failed");
  std::string mark, label;
  Tone tone = Tone::plain;
  if (status == "changed") {
    mark = "~", label = "changed", tone = Tone::yellow;
  } else if (status == "no_change") {
    mark = "✓", label = "no change", tone = Tone::green;
  } else if (status == "interrupted") {
    mark = "!", label = "interrupted", tone = Tone::yellow;
  } else if (status == "skipped") {
    mark = "-", label = "skipped", tone = Tone::dim;
  } else {
    mark = "✗", label = op.value("ignored", false) ? "failed (ignored)" : "failed", tone = Tone::red;
  }
  std::string line = "  " + paint(tone, mark + " " + label) +
                     std::string(label.size() < 16 ? 16 - label.size() : 1, ' ') +
                     visible(op.value("op", op.value("name", "operation")));
  if (op.contains("duration_s") && op["duration_s"].is_number()) {
    line += paint(Tone::dim, "  " + format_seconds(op["duration_s"].get<double>()));
  }
  line += "\n";
  if (status == "failed") {
    if (op.contains("command") && op["command"].is_string()) {
      line += "      " + paint(Tone::dim, "command:") + " " + visible(op["command"].get<std::string>()) + "\n";
    }
    if (op.contains("exit_code") && op["exit_code"].is_number()) {
      line += "      " + paint(Tone::dim, "exit code:") + " " + std::to_string(op["exit_code"].get<int>()) + "\n";
    }
    for (const char* stream : {"stderr_tail", "messages"}) {
      const json& tail = op.value(stream, json::array());
      if (!tail.is_array() || tail.empty()) continue;
      line += "      " + paint(Tone::dim, std::string(stream) == "stderr_tail" ? "stderr:" : "pyinfra:") + "\n";
      for (const auto& l : tail) line += "        " + paint(Tone::red, scalar_text(l)) + "\n";
    }
  }
  return line;
}

std::string render_planned_operation(const json& op, const Painter& paint) {
  bool changes = op.value("will_change", false);
  std::string out = "  " + (changes ? paint(Tone::yellow, "~ would change") : paint(Tone::green, "✓ no change   ")) +
                    "   " + text_of(op, "name", "operation");
  if (op.contains("role") && op["role"].is_string())
    out += paint(Tone::dim, "  (" + visible(op["role"].get<std::string>()) + ")");
  out += "\n";
  std::string diff = op.value("diff", "");
  if (!diff.empty()) {
    size_t pos = 0;
    while (pos < diff.size()) {
      size_t end = diff.find('\n', pos);
      if (end == std::string::npos) end = diff.size();
      std::string l = visible(diff.substr(pos, end - pos));
      // pyinfra indents its diff lines; the first visible character says added or removed.
      size_t first = l.find_first_not_of(' ');
      char sign = first == std::string::npos ? ' ' : l[first];
      Tone tone = sign == '+' ? Tone::green : (sign == '-' ? Tone::red : Tone::dim);
      out += "      " + paint(tone, l) + "\n";
      pos = end + 1;
    }
  }
  return out;
}

std::string join_names(const json& names) {
  std::string out;
  if (!names.is_array()) return out;
  for (const auto& n : names) {
    if (!n.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += visible(n.get<std::string>());
  }
  return out;
}

std::string render_skipped_role(const json& skipped, const Painter& paint) {
  std::string out = paint(Tone::yellow, "- ") + paint(Tone::bold, text_of(skipped, "role", "?")) + " on " +
                    text_of(skipped, "host", "?") + paint(Tone::yellow, " skipped: ") +
                    text_of(skipped, "message", "it needs secrets and none were supplied") + "\n";
  const std::string reason = text_of(skipped, "reason", "");
  if (reason == "restricted") {
    return out + "    " + paint(Tone::dim, "fleet.restrictions in the Ch-obolo say so (docs/fleet.md)") + "\n";
  }
  const bool missing = reason == "missing_secret_keys";
  out += "    " +
         paint(Tone::dim, missing ? "add them to the secrets file (`chaos secrets edit`), or point -sf at the right one"
                                  : "chaos runs a role that declares needs_secrets only with its secrets: pass -s to "
                                    "decrypt the secrets file (docs/secrets.md)") +
         "\n";
  return out;
}

std::string render_role_failures(const std::string& host, const json& failed, const json& not_run, bool keep_going,
                                 bool dry, const Painter& paint) {
  std::string failed_text = join_names(failed);
  if (failed_text.empty()) return "";
  std::string out = paint(Tone::red, "✗ ") + paint(Tone::bold, visible(host)) + ": " +
                    paint(Tone::red, "failed before execution: " + failed_text) + "\n";
  if (keep_going) {
    out += "    " + std::string(dry ? "none of their operations would run" : "none of their operations run") +
           "; the other roles' operations " + (dry ? "would run" : "run") + " (--keep-going)\n";
  } else {
    out += "    " + std::string(dry ? "nothing would be executed on " : "nothing is executed on ") + visible(host) +
           paint(Tone::dim, " (--keep-going runs the other roles' operations)") + "\n";
    std::string skipped = join_names(not_run);
    if (!skipped.empty()) out += "    not run: " + skipped + "\n";
  }
  return out;
}

}  // namespace chaos
