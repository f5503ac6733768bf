#include "apply/report.h"

#include <gtest/gtest.h>

#include <type_traits>

#include "plugins/manifest.h"
#include "util/error.h"

namespace chaos {
namespace {

using nlohmann::json;

const Painter& plain() {
  static const Painter painter(false);
  return painter;
}

ApplyReport executed_report() {
  ApplyReport r;
  r.tags = {"files"};
  r.roles = {{"files", "myplug.roles:FilesRole", "my-plugin"}};
  r.roles_info = {{"files", "class", json("Scratch files")}};
  r.started = "2026-01-01T00:00:00+0000";
  r.duration_s = 1.5;
  r.take_outcome(json::parse(R"({"failed_roles":{"@local":["broken"]},"not_run":{"@local":["files"]},
    "skipped_roles":[{"host":"@local","role":"vault","reason":"needs_secrets","keys":["k1","k2"]}]})"));
  r.take_execution(json::parse(R"({"hosts":{"@local":{"changed":1,"no_change":2,"failed":1,"ignored":0,"skipped":3,
    "ops":[{"host":"@local","op":"Create a.txt","hash":"h","role":"files","duration_s":0.25,"status":"changed"},
           {"host":"@local","op":"Break","hash":"h2","role":null,"status":"failed","command":"false","exit_code":1,
            "stderr_tail":["boom"]}]}}})"));
  r.errors.push_back({{"kind", "role_error"}, {"message", "KeyError"}});
  r.exit_code = 1;
  return r;
}

TEST(ApplyReport, TheJsonDocumentCarriesEveryValueOfTheRun) {
  json doc = executed_report();
  EXPECT_EQ(doc["version"], 1);
  EXPECT_EQ(doc["tags"], json({"files"}));
  EXPECT_EQ(doc["roles"], json::parse(R"([{"tag":"files","plugin":"my-plugin","entry_point":"myplug.roles:FilesRole",
                                           "kind":"class","name":"Scratch files"}])"));
  EXPECT_TRUE(doc["chobolo"].is_null());
  EXPECT_EQ(doc["counts"], json::parse(R"({"changed":1,"no_change":2,"failed":1,"skipped":3})"));
  EXPECT_EQ(doc["success"], false);
  EXPECT_EQ(doc["exit_code"], 1);
  ASSERT_EQ(doc["hosts"].size(), 1u);
  const json& host = doc["hosts"][0];
  EXPECT_EQ(host["failed_roles"], json({"broken"}));
  EXPECT_EQ(host["not_run_roles"], json({"files"}));
  EXPECT_EQ(host["skipped_roles"], json::parse(R"([{"role":"vault","reason":"needs_secrets","keys":["k1","k2"]}])"));
  EXPECT_EQ(host["counts"]["ignored"], 0);
  EXPECT_EQ(host["operations"][0],
            json::parse(R"({"name":"Create a.txt","role":"files","status":"changed","duration_s":0.25,"hash":"h"})"));
  EXPECT_EQ(host["operations"][1],
            json::parse(R"({"name":"Break","role":null,"status":"failed","duration_s":null,"hash":"h2",
                                                   "command":"false","exit_code":1,"stderr_tail":["boom"]})"));
  EXPECT_FALSE(host.contains("error"));
}

TEST(ApplyReport, ADryRunCountsWhatWouldChangeAndKeepsTheDiff) {
  ApplyReport r;
  r.dry = true;
  r.take_dry_run(json::parse(R"({"hosts":{"@local":[{"name":"a","will_change":true,"role":"x","diff":"+a"},
                                                    {"name":"b","will_change":false,"role":null}]}})"));
  json host = r.hosts.at("@local");
  EXPECT_EQ(host["counts"], json::parse(R"({"changed":1,"no_change":1,"failed":0,"skipped":0})"));
  EXPECT_EQ(host["operations"][0], json::parse(R"({"name":"a","role":"x","status":"would_change","diff":"+a"})"));
  EXPECT_EQ(host["operations"][1], json::parse(R"({"name":"b","role":null,"status":"would_not_change"})"));
  EXPECT_EQ(render_summary(r, plain()),
            "\nSummary (dry run)\n  @local: 1 would change, 1 unchanged, 0 failed\n  took 0 ms\n");
}

TEST(ApplyReport, TheSummaryAndTheJsonReportComeFromTheSameModel) {
  ApplyReport r = executed_report();
  std::string text = render_summary(r, plain());
  EXPECT_NE(text.find("@local: 1 changed, 2 unchanged, 1 failed, 3 skipped\n"), std::string::npos) << text;
  EXPECT_NE(text.find("failed roles: broken (none of their operations ran)"), std::string::npos) << text;
  EXPECT_NE(text.find("not run: files"), std::string::npos) << text;
  EXPECT_NE(text.find("skipped: vault (needs secrets: k1, k2)"), std::string::npos) << text;
  EXPECT_NE(text.find("1 error(s) (shown above)"), std::string::npos) << text;
  r.exit_code = 1;
  json record = r;
  EXPECT_EQ(record["counts"], json::parse(R"({"changed":1,"no_change":2,"failed":1,"skipped":3})"));
  EXPECT_EQ(record["hosts"][0]["name"], "@local");
  EXPECT_EQ(record["exit_code"], 1);
  EXPECT_EQ(record["success"], false);
  EXPECT_EQ(record["change_kind"], "none");
  r.aborted = true;
  EXPECT_EQ(render_summary(r, plain()), "");
}

TEST(ApplyReport, ACorrectiveRunSaysTheMachineHadDrifted) {
  ApplyReport r = executed_report();
  r.change_kind = "corrective";
  EXPECT_NE(render_summary(r, plain())
                .find("corrective: the inputs equal the last successful run's, so the machine had drifted"),
            std::string::npos);
  r.dry = true;
  EXPECT_NE(render_summary(r, plain()).find("drift: changes are pending"), std::string::npos);
  r.change_kind = "intentional";
  EXPECT_EQ(render_summary(r, plain()).find("drift"), std::string::npos);
}

TEST(ApplyReport, AHostThatCouldNotConnectSaysSo) {
  ApplyReport r;
  r.host("web").connected = false;
  r.host("web").error = "no route";
  json doc = r;
  EXPECT_EQ(doc["hosts"][0]["error"], "no route");
  EXPECT_NE(render_summary(r, plain()).find("web: not connected"), std::string::npos);
}

TEST(ErrorKinds, StatusIsNodiscardAndKeepsOptionalsSpelling) {
  static_assert(!std::is_convertible_v<Status, bool>, "explicit bool only");
  Status ok = std::nullopt;
  EXPECT_FALSE(ok);
  EXPECT_FALSE(Status{}.has_value());
  Status failed = Error(ErrorKind::interrupted, "stopped");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->kind, ErrorKind::interrupted);
  EXPECT_EQ((*failed).message, "stopped");
  EXPECT_EQ(Error("plain").kind, ErrorKind::other);
}

TEST(ErrorKinds, AManifestErrorKeepsItsKindThroughTheCache) {
  ManifestError e;
  e.kind = "host_unavailable";
  e.message = "no python";
  ManifestError back = ManifestError::from_json(e.to_json());
  EXPECT_EQ(back.kind, "host_unavailable");
  EXPECT_EQ(back.error_kind(), ErrorKind::host_unavailable);
  e.kind = "plugin_import";
  EXPECT_EQ(ManifestError::from_json(e.to_json()).error_kind(), ErrorKind::other);
}

}  // namespace
}  // namespace chaos
