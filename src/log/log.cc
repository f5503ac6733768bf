// log/: `chaos log`: the runs in the logbook, one run in detail, one run exported.
#include "log/log.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "records/logbook.h"
#include "records/logbook_export.h"
#include "runview/render.h"
#include "term/escape.h"
#include "term/layout.h"
#include "util/fs.h"
#include "util/text.h"

namespace chaos {
namespace {

using nlohmann::json;

std::string join(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (!item.is_string()) continue;
    out += (out.empty() ? "" : " ") + item.get<std::string>();
  }
  return out;
}

int count(const json& counts, const char* key) {
  return counts.is_object() && counts.contains(key) && counts[key].is_number_integer() ? counts[key].get<int>() : 0;
}

std::string result_text(const json& r, const Painter& paint) {
  std::string status = r.value("status", "");
  std::string result = status == "success"       ? paint(Tone::green, "ok")
                       : status == "interrupted" ? paint(Tone::yellow, "interrupted")
                       : status == "in_progress" ? paint(Tone::cyan, "running")
                                                 : paint(Tone::red, "failed");
  if (r.value("dry", false)) result += " (dry)";
  if (r.value("change_kind", json()) == "corrective") result += paint(Tone::yellow, " corrective");
  return result;
}

// Newest first, one row per run.
std::string render_log_table(const std::vector<LogbookRunRow>& rows_in, const Painter& paint) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : rows_in) {
    const json& r = row.record;
    const json& counts = r["counts"];
    std::string took = r["duration_s"].is_number() ? format_seconds(r["duration_s"].get<double>()) : "";
    rows.push_back({std::to_string(row.id), r.value("started", ""), visible(join(r["tags"])), visible(join(r["hosts"])),
                    std::to_string(count(counts, "changed")) + "/" + std::to_string(count(counts, "no_change")) + "/" +
                        std::to_string(count(counts, "failed")),
                    took, result_text(r, paint)});
  }
  return render_table({"Run", "Started", "Tags", "Hosts", "Changed/Same/Failed", "Took", "Result"}, rows, paint);
}

// The logbook (created, with history.jsonl moved in, on first use), or the exit status when
// there are no runs or it cannot be read.
std::optional<Logbook> open_for_reading(Context& ctx, int& exit_code, bool json_output) {
  auto book = Logbook::open(ctx.paths.logbook_dir, ctx.paths.state_dir);
  if (!book) {
    ctx.print_error(book.error());
    exit_code = kExitFailure;
    return std::nullopt;
  }
  std::string warning = history_import_warning(*book, ctx.paths.state_dir);
  if (!warning.empty()) ctx.print_warning(warning);
  auto last = book->find_run("last");
  if (last && !*last) {
    if (json_output) {
      std::printf("[]\n");
    } else {
      std::printf("No runs recorded yet (%s).\n", book->path().c_str());
    }
    exit_code = kExitOk;
    return std::nullopt;
  }
  return std::move(*book);
}

// The run data of the run the user named, or the exit status.
std::optional<json> named_run(Context& ctx, const LogOptions& opts, int& exit_code) {
  auto book = open_for_reading(ctx, exit_code, false);
  if (!book) {
    if (exit_code == kExitOk) exit_code = kExitFailure;  // "no runs" is no run to show
    return std::nullopt;
  }
  auto id = book->find_run(opts.run);
  if (id && !*id) {
    ctx.print_error(Error("no run `" + visible(opts.run) + "` in the logbook", book->path(),
                          "`chaos log` lists the runs it holds; name one by its number, its run id, or `last`"));
    exit_code = kExitUsage;
    return std::nullopt;
  }
  auto data = id ? book->run_data(**id) : Result<std::optional<json>>(id.error());
  if (!data || !*data) {
    ctx.print_error(data ? Error("the run vanished while it was read (dropped by retention?)", book->path())
                         : data.error());
    exit_code = kExitFailure;
    return std::nullopt;
  }
  return **data;
}

bool host_selected(const json& host, const LogOptions& opts) {
  return !opts.host || host.value("name", "") == *opts.host;
}

bool operation_selected(const json& op, const LogOptions& opts) {
  if (opts.role && op["role"] != *opts.role) return false;
  return !opts.failed || !op.value("success", true);
}

// What `log show` prints and `log show --json` returns: the run data narrowed by the filters.
json filtered_run(json data, const LogOptions& opts) {
  json hosts = json::array();
  for (auto& host : data["hosts"]) {
    if (!host_selected(host, opts)) continue;
    json ops = json::array();
    for (auto& op : host["operations"]) {
      if (operation_selected(op, opts)) ops.push_back(op);
    }
    host["operations"] = ops;
    if (opts.role) {
      json deltas = json::array();
      for (auto& d : host["deltas"]) {
        if (d["role"] == *opts.role) deltas.push_back(d);
      }
      host["deltas"] = deltas;
    }
    hosts.push_back(host);
  }
  data["hosts"] = hosts;
  return data;
}

// A stored operation in the shape runview's render_operation reads (a live op event's).
json as_op_event(const json& op) {
  json event = {{"op", op["name"]}, {"status", op["status"]}, {"ignored", op["ignored"]}};
  if (op["duration_s"].is_number()) event["duration_s"] = op["duration_s"];
  if (op["command"].is_string()) event["command"] = op["command"];
  if (op["exit_code"].is_number()) event["exit_code"] = op["exit_code"];
  event["stderr_tail"] = op["stderr"];
  return event;
}

std::string render_run_header(const json& run, const Painter& paint) {
  std::string out = paint(Tone::bold, "Run " + std::to_string(run.value("id", 0))) + "  " +
                    visible(run.value("run_id", "")) + "  " + result_text(run, paint) + "\n";
  auto line = [&](const char* label, const std::string& value) {
    if (!value.empty()) out += "  " + paint(Tone::dim, std::string(label) + ":") + " " + value + "\n";
  };
  line("started", run.value("started", ""));
  line("ended", run["ended"].is_string() ? run["ended"].get<std::string>() : "");
  line("tags", visible(join(run["tags"])));
  line("Ch-obolo", run["chobolo"].is_string() ? visible(run["chobolo"].get<std::string>()) : "");
  line("changes", run["change_kind"].is_string() ? run["change_kind"].get<std::string>() : "");
  line("exit code", run["exit_code"].is_number() ? std::to_string(run["exit_code"].get<int>()) : "");
  line("took", run["duration_s"].is_number() ? format_seconds(run["duration_s"].get<double>()) : "");
  for (const auto& e : run["errors"]) {
    if (e.is_object() && e["message"].is_string())
      out += "  " + paint(Tone::red, "error: ") + visible(e["message"].get<std::string>()) + "\n";
  }
  return out;
}

std::string render_run(const json& data, const Painter& paint) {
  std::string out = render_run_header(data["run"], paint);
  for (const auto& host : data["hosts"]) {
    out += "\n" + paint(Tone::bold, visible(host.value("name", ""))) + "\n";
    if (!host.value("connected", true)) out += "  " + paint(Tone::red, "not connected") + "\n";
    for (const auto& d : host["deltas"]) {
      std::string delta = render_delta(d, paint);
      if (!delta.empty()) out += "  " + paint(Tone::dim, "delta of " + visible(d.value("role", ""))) + "\n" + delta;
    }
    for (const auto& op : host["operations"]) {
      out += render_operation(as_op_event(op), paint);
      if (op["diff"].is_string() && !op["diff"].get<std::string>().empty()) {
        for (const auto& l : split_lines(op["diff"].get<std::string>())) out += "      " + visible(l) + "\n";
      }
    }
  }
  return out;
}

}  // namespace

int run_log(Context& ctx, const LogOptions& opts) {
  int exit_code = kExitOk;
  auto book = open_for_reading(ctx, exit_code, opts.json);
  if (!book) return exit_code;
  auto rows = book->list_runs(opts.limit, {opts.role, opts.host, opts.failed});
  if (!rows) {
    ctx.print_error(rows.error());
    return kExitFailure;
  }
  if (opts.json) {
    json list = json::array();
    for (const auto& row : *rows) list.push_back(row.record);
    std::printf("%s\n", list.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  if (rows->empty()) {
    std::printf("No runs match (%s).\n", book->path().c_str());
    return kExitOk;
  }
  std::fputs(render_log_table(*rows, ctx.out).c_str(), stdout);
  return kExitOk;
}

int run_log_show(Context& ctx, const LogOptions& opts) {
  int exit_code = kExitOk;
  auto data = named_run(ctx, opts, exit_code);
  if (!data) return exit_code;
  json shown = filtered_run(std::move(*data), opts);
  if (opts.json) {
    std::printf("%s\n", shown.dump(2, ' ', false, json::error_handler_t::replace).c_str());
  } else {
    std::fputs(render_run(shown, ctx.out).c_str(), stdout);
  }
  return kExitOk;
}

int run_log_export(Context& ctx, const LogOptions& opts) {
  int exit_code = kExitOk;
  auto data = named_run(ctx, opts, exit_code);
  if (!data) return exit_code;
  std::string text = logbook_export_v1(*data).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  if (opts.output == "-") {
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  }
  std::string path = opts.output.empty() ? "chaos_logbook.json" : opts.output;
  if (auto err = write_file_atomic(path, text)) {
    ctx.print_error(*err);
    return kExitFailure;
  }
  std::fprintf(stderr, "Wrote %s (run %s).\n", visible(path).c_str(), visible(opts.run).c_str());
  return kExitOk;
}

}  // namespace chaos
