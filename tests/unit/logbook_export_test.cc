// The logbook's v1 export (issue 12, item 2): the numbers a viewer of the original's
// chaos_logbook.json computes from, the sections it filters, the status it shows, and damaged
// input that must still give a document every JSON reader accepts.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "records/logbook_export.h"

namespace chaos {
namespace {

using nlohmann::json;

json operation(const std::string& name, double seconds, const std::string& status = "no_change") {
  return {{"name", name},
          {"op_hash", "784a97bf"},
          {"role", "files"},
          {"status", status},
          {"changed", status == "changed"},
          {"success", status != "failed"},
          {"duration_s", seconds},
          {"timestamp", nullptr},
          {"stdout", json::array()},
          {"stderr", json::array()},
          {"diff", nullptr},
          {"arguments", nullptr},
          {"retries", 0},
          {"command", nullptr},
          {"exit_code", nullptr}};
}

json host(const std::string& name, json operations) {
  return {{"name", name},
          {"connected", true},
          {"error", nullptr},
          {"deltas", json::array()},
          {"operations", std::move(operations)}};
}

json run_data(json hosts, json run_fields = json::object()) {
  json run = {{"id", 42},
              {"run_id", "chaos-2026/12/05-20:41:03"},
              {"uggly_run_id", "chaos-1796503263-123456789"},
              {"started", "2026-12-05T20:41:03.123Z"},
              {"ended", "2026-12-05T20:41:06.323Z"},
              {"status", "success"},
              {"exit_code", 0},
              {"dry", false},
              {"tags", json::array({"users", "packages"})},
              {"chobolo", "/etc/ch-obolo.yml"},
              {"change_kind", "intentional"},
              {"hailer", {{"user", "root"}, {"boatswain", "10.0.0.1"}, {"hostname", "box"}}},
              {"secrets_required", json::array({"db_password"})},
              {"duration_s", 3.2}};
  run.update(run_fields);
  return {{"run", run}, {"hosts", std::move(hosts)}, {"snapshots", json::array()}, {"fact_logs", json::array()}};
}

// Every number in the document is finite, every part of it survives dump() and parse(), and
// its depth is bounded (copied subtrees are cut), so no reader recursing into it runs out of stack.
void expect_valid_json(const json& doc) {
  std::string text = doc.dump();  // strict: throws on invalid UTF-8
  json again = json::parse(text);
  EXPECT_EQ(again, doc);
  std::vector<std::pair<const json*, int>> stack = {{&doc, 0}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    ASSERT_LT(depth, 50);
    if (node->is_number_float()) {
      EXPECT_TRUE(std::isfinite(node->get<double>())) << text;
    }
    if (node->is_structured()) {
      for (const json& child : *node) stack.emplace_back(&child, depth + 1);
    }
  }
}

TEST(LogbookExport, PercentilesAreLinearlyInterpolatedAcrossHostsAndRoundedToFourDecimals) {
  json first = json::array(), second = json::array();
  for (int i = 1; i <= 10; ++i) (i % 2 ? first : second).push_back(operation("Install", i));
  second.push_back(operation("Write", 0.123456));
  json doc = logbook_export_v1(run_data(json::array({host("@local", first), host("web1", second)})));
  const json& install = doc["operation_summary"]["Install"];
  EXPECT_EQ(install["count"], 10);
  EXPECT_DOUBLE_EQ(install["total_duration"].get<double>(), 55.0);
  EXPECT_DOUBLE_EQ(install["average_duration"].get<double>(), 5.5);
  EXPECT_DOUBLE_EQ(install["p50_duration"].get<double>(), 5.5);
  EXPECT_DOUBLE_EQ(install["p90_duration"].get<double>(), 9.1);
  EXPECT_DOUBLE_EQ(install["p95_duration"].get<double>(), 9.55);
  EXPECT_DOUBLE_EQ(install["p99_duration"].get<double>(), 9.91);
  const json& write = doc["operation_summary"]["Write"];
  EXPECT_EQ(write["count"], 1);
  for (const char* key : {"total_duration", "average_duration", "p50_duration", "p99_duration"}) {
    EXPECT_DOUBLE_EQ(write[key].get<double>(), 0.1235) << key;
  }
  EXPECT_EQ(doc["operation_summary"].size(), 2u);
}

TEST(LogbookExport, PercentilesDoNotDependOnTheOrderOperationsRanIn) {
  json ops = json::array();
  for (double s : {4.0, 1.0, 3.0, 2.0}) ops.push_back(operation("Step", s));
  json doc = logbook_export_v1(run_data(json::array({host("@local", ops)})));
  // Sorted 1 2 3 4: p50 at rank 1.5, p90 at rank 2.7.
  EXPECT_DOUBLE_EQ(doc["operation_summary"]["Step"]["p50_duration"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(doc["operation_summary"]["Step"]["p90_duration"].get<double>(), 3.7);
}

TEST(LogbookExport, HostAndSummaryCountsAreTheOperationsOutcomes) {
  json local = json::array(
      {operation("a", 0.11111, "changed"), operation("b", 0.22222, "no_change"), operation("c", 0.5, "failed")});
  json web = json::array({operation("d", 1.0, "changed"), operation("e", 2.0, "skipped")});
  json doc =
      logbook_export_v1(run_data(json::array({host("@local", local), host("web1", web)}), {{"status", "failure"}}));
  const json& h = doc["hosts"]["@local"];
  EXPECT_EQ(h["total_operations"], 3);
  EXPECT_EQ(h["changed_operations"], 1);
  EXPECT_EQ(h["successful_operations"], 2);
  EXPECT_EQ(h["failed_operations"], 1);
  EXPECT_DOUBLE_EQ(h["duration"].get<double>(), 0.8333);
  ASSERT_EQ(h["history"].size(), 3u);
  EXPECT_EQ(h["history"][2]["operation"], "c");
  EXPECT_EQ(h["history"][2]["success"], false);
  EXPECT_EQ(doc["hosts"]["web1"]["total_operations"], 2);
  const json& summary = doc["summary"];
  EXPECT_EQ(summary["total_operations"], 5);
  EXPECT_EQ(summary["changed_operations"], 2);
  EXPECT_EQ(summary["successful_operations"], 4);
  EXPECT_EQ(summary["failed_operations"], 1);
  EXPECT_DOUBLE_EQ(summary["total_duration"].get<double>(), 3.8333);
  EXPECT_EQ(summary["status"], "failure");
}

TEST(LogbookExport, HistoryEntryHasTheOriginalsShape) {
  json op = operation("Create a.txt", 0.021, "changed");
  op["stdout"] = json::array({"first", "second"});
  op["stderr"] = json::array({"warning"});
  op["diff"] = "+a\n-b";
  op["retries"] = 2;
  op["arguments"] = {{"_sudo", true}, {"_sudo_password", "********"}, {"_retries", 3}};
  json doc = logbook_export_v1(
      run_data(json::array({host("@local", json::array({op, operation("Plan", 0, "would_change")}))})));
  const json& entry = doc["hosts"]["@local"]["history"][0];
  EXPECT_EQ(entry["stdout"], "first\nsecond");
  EXPECT_EQ(entry["stderr"], "warning");
  EXPECT_EQ(entry["diff"], "+a\n-b");
  EXPECT_EQ(entry["changed"], true);
  const json& arguments = entry["operation_arguments"];
  EXPECT_EQ(arguments["global_arguments"]["_sudo_password"], "********");
  EXPECT_EQ(arguments["operation_meta"], json({{"executed", true}, {"maybe_change", true}, {"hash", "784a97bf"}}));
  EXPECT_TRUE(arguments["parent_op_hash"].is_null());
  const json& retries = entry["retry_statistics"];
  EXPECT_EQ(retries["retry_attempts"], 2);
  EXPECT_EQ(retries["max_retries"], 3);
  EXPECT_EQ(retries["retry_info"]["was_retried"], true);
  EXPECT_EQ(retries["retry_info"]["retry_succeeded"], true);
  const json& planned = doc["hosts"]["@local"]["history"][1];
  EXPECT_EQ(planned["stdout"], "");
  EXPECT_EQ(planned["diff"], "");
  EXPECT_EQ(planned["operation_arguments"]["global_arguments"], json::object());
  EXPECT_EQ(planned["operation_arguments"]["operation_meta"]["executed"], false);
  EXPECT_EQ(planned["operation_arguments"]["operation_meta"]["maybe_change"], true);
  EXPECT_TRUE(planned["retry_statistics"]["retry_info"]["retry_succeeded"].is_null());
}

TEST(LogbookExport, FactHistoryHoldsOnlyFactGatheringWithEpochTimestamps) {
  json data = run_data(json::array({host("@local", json::array())}));
  data["fact_logs"] = json::array(
      {{{"timestamp", "2026-12-05T20:41:03.123Z"},
        {"log_level", "DEBUG"},
        {"context", "fact_gathering"},
        {"command", "server.Home (user=root)"}},
       {{"timestamp", "2026-12-05T20:41:04Z"},
        {"log_level", "DEBUG"},
        {"context", "running_command_on_localhost"},
        {"command", "sh -c 'echo'"}},
       {{"timestamp", "1999-02-28T23:59:59.5Z"},
        {"log_level", "DEBUG"},
        {"context", "fact_gathering"},
        {"command", "files.File (path=/a)"}},
       {{"timestamp", "yesterday"}, {"log_level", "DEBUG"}, {"context", "fact_gathering"}, {"command", "x"}}});
  json facts = logbook_export_v1(data)["fact_history"];
  ASSERT_EQ(facts.size(), 3u);
  EXPECT_EQ(facts[0]["id"], 1);
  EXPECT_EQ(facts[0]["run_id"], "chaos-1796503263-123456789");
  EXPECT_DOUBLE_EQ(facts[0]["timestamp"].get<double>(), 1796503263.123);
  EXPECT_EQ(facts[0]["command"], "server.Home (user=root)");
  EXPECT_EQ(facts[1]["id"], 3);
  EXPECT_DOUBLE_EQ(facts[1]["timestamp"].get<double>(), 920246399.5);
  EXPECT_TRUE(facts[2]["timestamp"].is_null());
  for (const json& fact : facts) EXPECT_EQ(fact["context"], "fact_gathering");
}

TEST(LogbookExport, StreamedHistoryIsInEndOrderWithTheCommandsOfEachOperationsSpan) {
  json slow = operation("slow", 2.0);
  slow["timestamp"] = "2026-12-05T20:41:06Z";  // ran 04..06
  json quick = operation("quick", 0.5);
  quick["timestamp"] = "2026-12-05T20:41:03.5Z";  // ran 03..03.5
  json data = run_data(json::array({host("@local", json::array({slow, quick}))}));
  for (const char* at : {"2026-12-05T20:41:03.2Z", "2026-12-05T20:41:04.5Z", "2026-12-05T20:41:07Z"}) {
    data["fact_logs"].push_back({{"timestamp", at}, {"log_level", "DEBUG"}, {"context", "x"}, {"command", at}});
  }
  json streamed = logbook_export_v1(data)["streamed_history"];
  ASSERT_EQ(streamed.size(), 2u);
  EXPECT_EQ(streamed[0]["operation"], "quick");
  EXPECT_EQ(streamed[0]["type"], "progress");
  EXPECT_EQ(streamed[0]["host"], "@local");
  EXPECT_EQ(streamed[0]["logs"], json({{"stdout", ""}, {"stderr", ""}}));
  ASSERT_EQ(streamed[0]["command_n_fact_history"].size(), 1u);
  EXPECT_EQ(streamed[0]["command_n_fact_history"][0]["command"], "2026-12-05T20:41:03.2Z");
  EXPECT_EQ(streamed[1]["operation"], "slow");
  ASSERT_EQ(streamed[1]["command_n_fact_history"].size(), 1u);
  EXPECT_EQ(streamed[1]["command_n_fact_history"][0]["command"], "2026-12-05T20:41:04.5Z");
}

TEST(LogbookExport, SummaryStatusIsTheFinalOneNeverInProgress) {
  struct Case {
    json run;
    std::string status;
    bool failed_op;
  };
  const Case cases[] = {
      {{{"status", "success"}}, "success", false},
      {{{"status", "interrupted"}, {"exit_code", 130}}, "interrupted", false},
      {{{"status", "failure"}, {"exit_code", 1}}, "failure", false},
      // The store still says in_progress (or nothing usable) for a run that ended.
      {{{"status", "in_progress"}, {"exit_code", 0}}, "success", false},
      {{{"status", "in_progress"}, {"exit_code", 0}}, "failure", true},
      {{{"status", "in_progress"}, {"exit_code", 130}}, "interrupted", false},
      {{{"status", "in_progress"}, {"exit_code", 2}}, "failure", false},
      {{{"status", 7}, {"exit_code", nullptr}}, "success", false},
      {{{"status", "in_progress"}, {"exit_code", nullptr}, {"ended", nullptr}}, "interrupted", false},
  };
  for (const Case& c : cases) {
    json ops = json::array({operation("a", 1.0, c.failed_op ? "failed" : "changed")});
    json doc = logbook_export_v1(run_data(json::array({host("@local", ops)}), c.run));
    EXPECT_EQ(doc["summary"]["status"], c.status) << c.run.dump();
  }
}

TEST(LogbookExport, ChaosExtrasLiveUnderOneKey) {
  json h = host("@local", json::array({operation("a", 1.0, "changed")}));
  h["deltas"] = json::array(
      {{{"role", "users"}, {"to_add", {{"users", json::array({"alice"})}}}, {"to_remove", json::object()}}});
  h["error"] = {{"kind", "connect"}, {"message", "refused"}};
  json doc = logbook_export_v1(run_data(json::array({h}), {{"exit_code", 0}, {"dry", true}}));
  std::set<std::string> keys;
  for (const auto& [key, value] : doc.items()) keys.insert(key);
  EXPECT_EQ(keys, (std::set<std::string>{"api_version", "run_id", "uggly_run_id", "hailer", "secrets_required", "hosts",
                                         "summary", "resource_history", "fact_history", "streamed_history",
                                         "operation_summary", "chaos"}));
  EXPECT_EQ(doc["api_version"], "v1");
  EXPECT_EQ(doc["run_id"], "chaos-2026/12/05-20:41:03");
  EXPECT_EQ(doc["hailer"]["boatswain"], "10.0.0.1");
  EXPECT_EQ(doc["secrets_required"], json::array({"db_password"}));
  const json& extras = doc["chaos"];
  EXPECT_EQ(extras["id"], 42);
  EXPECT_EQ(extras["exit_code"], 0);
  EXPECT_EQ(extras["dry"], true);
  EXPECT_EQ(extras["tags"], json::array({"users", "packages"}));
  EXPECT_EQ(extras["change_kind"], "intentional");
  EXPECT_DOUBLE_EQ(extras["duration_s"].get<double>(), 3.2);
  EXPECT_EQ(extras["hosts"]["@local"]["deltas"][0]["to_add"]["users"][0], "alice");
  EXPECT_EQ(extras["hosts"]["@local"]["error"]["kind"], "connect");
  EXPECT_EQ(extras["hosts"]["@local"]["operations"][0]["status"], "changed");
  EXPECT_EQ(doc["hosts"]["@local"].count("deltas"), 0u);
}

TEST(LogbookExport, ResourceHistoryKeepsFiniteMetricsOnly) {
  json data = run_data(json::array({host("@local", json::array())}));
  data["snapshots"] = json::array({{{"host", "@local"},
                                    {"stage", "pre_operations"},
                                    {"timestamp", "2024-02-29T00:00:00.000Z"},
                                    {"metrics",
                                     {{"cpu_load_1min", 0.5},
                                      {"ram_percent", std::numeric_limits<double>::quiet_NaN()},
                                      {"ram_total_gb", "24"}}}}});
  json doc = logbook_export_v1(data);
  ASSERT_EQ(doc["resource_history"].size(), 1u);
  const json& snapshot = doc["resource_history"][0];
  EXPECT_EQ(snapshot["type"], "health_check");
  EXPECT_DOUBLE_EQ(snapshot["timestamp"].get<double>(), 1709164800.0);
  EXPECT_DOUBLE_EQ(snapshot["metrics"]["cpu_load_1min"].get<double>(), 0.5);
  EXPECT_TRUE(snapshot["metrics"]["ram_percent"].is_null());
  EXPECT_TRUE(snapshot["metrics"]["ram_total_gb"].is_null());
  expect_valid_json(doc);
}

TEST(LogbookExport, HostileInputGivesAValidDocument) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  json deep = json::array();
  for (int i = 0; i < 1000; ++i) deep = json::array({std::move(deep)});
  json bad_op = {{"name", std::string("bad \xff\xfe name")},
                 {"duration_s", nan},
                 {"timestamp", 12},
                 {"changed", "yes"},
                 {"stdout", {1, "line \xc3", nullptr, "ok\tline"}},
                 {"stderr", 5},
                 {"diff", std::string("tab\there\nbad \xff")},
                 {"arguments", {{"global_arguments", {{"x", inf}, {"deep", deep}}}, {"parent_op_hash", 3}}},
                 {"retries", -4},
                 {"exit_code", 1.5}};
  const json inputs[] = {
      nullptr,
      42,
      "text",
      json::array({1, 2}),
      {{"run", 5}, {"hosts", "x"}, {"snapshots", json::array({1})}, {"fact_logs", {nullptr, {{"timestamp", inf}}}}},
      {{"run", {{"status", json::array()}, {"hailer", "me"}, {"tags", {1, "a"}}, {"duration_s", -inf}}},
       {"hosts",
        {1, {{"name", 5}, {"operations", {nullptr, bad_op, {{"duration_s", 1e308}, {"diff", json::array()}}}}}}},
       {"snapshots", json::array({{{"metrics", {{"cpu", inf}}}, {"timestamp", "2026-13-01T00:00:00Z"}}})}},
  };
  for (const json& input : inputs) {
    json doc = logbook_export_v1(input);
    expect_valid_json(doc);
    EXPECT_EQ(doc["api_version"], "v1");
    EXPECT_NE(doc["summary"]["status"], "in_progress");
    EXPECT_TRUE(doc["summary"]["total_duration"].is_number());
  }
  json doc = logbook_export_v1(inputs[5]);
  const json& entry = doc["hosts"][""]["history"][0];
  EXPECT_EQ(entry["stdout"], "line \\xc3\nok\tline");
  EXPECT_EQ(entry["diff"], "tab\there\nbad \\xff");  // only the damaged line is escaped
  EXPECT_DOUBLE_EQ(entry["duration"].get<double>(), 0.0);
  EXPECT_EQ(entry["retry_statistics"]["retry_attempts"], 0);
  EXPECT_TRUE(entry["operation_arguments"]["global_arguments"]["x"].is_null());
  EXPECT_DOUBLE_EQ(doc["hosts"][""]["history"][1]["duration"].get<double>(), 0.0);
}

TEST(LogbookExport, AHostNamedTwiceIsOneHostWithBothLists) {
  json doc = logbook_export_v1(run_data(json::array({host("web1", json::array({operation("a", 1.0)})),
                                                     host("web1", json::array({operation("b", 2.0, "changed")}))})));
  ASSERT_EQ(doc["hosts"].size(), 1u);
  EXPECT_EQ(doc["hosts"]["web1"]["total_operations"], 2);
  EXPECT_EQ(doc["hosts"]["web1"]["changed_operations"], 1);
  EXPECT_EQ(doc["chaos"]["hosts"]["web1"]["operations"].size(), 2u);
}

}  // namespace
}  // namespace chaos
