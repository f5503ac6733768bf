#include "host/messages.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace chaos {
namespace {

using nlohmann::json;

// The seed corpus of tests/fuzz/corpus/role_host_message/, real messages of docs/protocol.md.
std::string corpus(const std::string& name) {
  static const std::map<std::string, std::string> messages = {
      {"event_connect", R"json({"type":"event","event":"connect","host":"@local","ok":true})json"},
      {"event_delta",
       R"json({"type":"event","event":"delta","host":"@local","role":"files","to_add":{"files":["a.txt"]},"to_remove":{"files":["keep.conf","zz\u001b[1A\u001b[2K"]},"metadata":{"dir":"/srv"},"empty":false})json"},
      {"event_log",
       R"json({"type":"event","event":"log","level":"warning","message":"Command timed out after 5s","logger":"pyinfra","host":"@local","op":null})json"},
      {"event_op_done_failed",
       R"json({"type":"event","event":"op_done","host":"@local","op":"Break on purpose","hash":"f4f59e82","role":"breaks","duration_s":0.012,"retries":0,"status":"failed","ignored":false,"command":"echo partial-output; exit 3","exit_code":3,"stderr_tail":["first-problem","it-broke"],"stdout_tail":["partial-output"],"messages":["Error: executed 0 commands"]})json"},
      {"event_op_start",
       R"json({"type":"event","event":"op_start","host":"@local","op":"Create a.txt","hash":"784a97bf","role":"files"})json"},
      {"event_role_error",
       R"json({"type":"event","event":"role_error","error":{"kind":"role_error","message":"KeyError: 'users'","role":"broken","host":"@local","phase":"context","plugin":"my-plugin","entry_point":"myplug.roles:Broken","traceback":"Traceback (most recent call last):\n  ...\nKeyError: 'users'"}})json"},
      {"event_role_start",
       R"json({"type":"event","event":"role_start","phase":"prepare","host":"@local","role":"files"})json"},
      {"execute_reply",
       R"json({"type":"reply","id":4,"ok":true,"result":{"hosts":{"@local":{"changed":1,"no_change":0,"failed":0,"ignored":0,"skipped":0,"interrupted":0,"ops":[{"host":"@local","op":"Create a.txt","hash":"784a97bf","role":"files","duration_s":0.021,"retries":0,"status":"changed"}]}},"success":true,"error":null}})json"},
      {"handshake_reply",
       R"json({"type":"reply","id":1,"ok":true,"result":{"protocol":1,"pyinfra":"3.10.0","pyinfra_error":null,"sys_path":["/home/u/.local/share/chaos/plugins","/usr/lib/python3.11"]}})json"},
      {"hello",
       R"json({"type":"hello","protocol":1,"capabilities":["handshake","manifest","apply.prepare","apply.plan","apply.execute","shutdown"],"python":"3.11.7","pid":4242,"pyinfra":"3.10.0","executable":"/home/u/.venv/bin/python","sys_path":["/usr/lib/python3.11","/home/u/.venv/lib/python3.11/site-packages"]})json"},
      {"hello_protocol_2", R"json({"type":"hello","protocol":2})json"},
      {"interrupted_reply",
       R"json({"type":"reply","id":4,"ok":false,"error":{"kind":"interrupted","message":"interrupted by SIGINT","partial":{"hosts":{"@local":{"changed":0,"no_change":0,"failed":0,"ignored":0,"skipped":0,"interrupted":1,"ops":[{"host":"@local","op":"Sleep","hash":"784a97bf","role":"sleep","status":"interrupted"}]}},"success":false}}})json"},
      {"plan_reply", R"json({"type":"reply","id":3,"ok":true,"result":{"hosts":{"@local":[{"name":"Create a.txt","hash":"784a97bf","will_change":true,"role":"files","args":[],"diff":"Will create /srv/a.txt\n  @@ -0,0 +1 @@\n  + content of a.txt"}]},"results":[{"host":"@local","role":"files","ops":1,"ok":true,"result":{"success":true,"message":[],"data":null,"error":[]}}],"errors":[],"changes":true}})json"},
      {"prepare_reply",
       R"json({"type":"reply","id":2,"ok":true,"result":{"roles":[{"tag":"files","entry_point":"myplug.roles:FilesRole","kind":"class","name":"Scratch files","needs_secrets":false,"necessary_secret_dict_keys":[],"necessary_chobolo_keys":[],"plugin":"my-plugin"}],"hosts":[{"name":"@local","connected":true}],"deltas":[{"host":"@local","role":"files","to_add":{"files":["a.txt"]},"to_remove":{},"metadata":{"dir":"/srv"},"empty":false}],"errors":[{"kind":"role_error","message":"KeyError: 'users'","role":"broken","host":"@local","phase":"context","plugin":"my-plugin","entry_point":"myplug.roles:Broken","traceback":"..."}],"changes":true,"detect_changes":true}})json"},
      {"shutdown_reply", R"json({"type":"reply","id":5,"ok":true,"result":{}})json"},
      {"wrong_type_host",
       R"json({"type":"event","event":"delta","host":5,"role":"x","to_add":{},"to_remove":{},"empty":true})json"},
  };
  auto it = messages.find(name);
  return it == messages.end() ? std::string() : it->second;
}

TEST(HostMessages, EveryRealMessageOfTheSeedCorpusDecodes) {
  for (const char* name : {"hello", "handshake_reply", "event_connect", "event_role_start", "event_delta",
                           "event_role_error", "prepare_reply", "plan_reply", "event_op_start", "event_op_done_failed",
                           "execute_reply", "interrupted_reply", "event_log", "shutdown_reply"}) {
    std::string line = corpus(name);
    ASSERT_FALSE(line.empty()) << name;
    auto message = decode_host_message(line);
    ASSERT_TRUE(message.ok()) << name << ": " << message.error().message;
    if (message->type == HostMessage::Type::reply && message->reply.ok) {
      for (const char* method : {"handshake", "apply.prepare", "apply.plan", "apply.execute"}) {
        std::string n(name);
        bool matches = (n == "handshake_reply" && std::string(method) == "handshake") ||
                       (n == "prepare_reply" && std::string(method) == "apply.prepare") ||
                       (n == "plan_reply" && std::string(method) == "apply.plan") ||
                       (n == "execute_reply" && std::string(method) == "apply.execute");
        if (matches) {
          EXPECT_FALSE(check_host_result(method, message->reply.result, line)) << name;
        }
      }
    }
  }
}

TEST(HostMessages, HelloIsTyped) {
  auto message = decode_host_message(corpus("hello"));
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->type, HostMessage::Type::hello);
  EXPECT_EQ(message->hello.protocol, 1);
  EXPECT_EQ(message->hello.pid, 4242);
  EXPECT_EQ(message->hello.pyinfra, "3.10.0");
  EXPECT_EQ(message->hello.capabilities.size(), 6u);
}

TEST(HostMessages, AnotherProtocolVersionIsReportedAsSuchNotAsAShapeError) {
  auto message = decode_host_message(R"({"type":"hello","protocol":2})");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->hello.protocol, 2);
}

TEST(HostMessages, AFailedReplyCarriesTheHostError) {
  auto message = decode_host_message(corpus("interrupted_reply"));
  ASSERT_TRUE(message.ok()) << message.error().message;
  EXPECT_FALSE(message->reply.ok);
  EXPECT_EQ(message->reply.error.kind, ErrorKind::interrupted);
  EXPECT_EQ(message->reply.error.wire_kind, "interrupted");
  EXPECT_TRUE(message->reply.error.details.contains("partial"));
}

TEST(HostMessages, AWronglyTypedFieldIsAProtocolErrorNamingFieldAndMessage) {
  auto message = decode_host_message(corpus("wrong_type_host"));
  ASSERT_FALSE(message.ok());
  const std::string& text = message.error().message;
  EXPECT_NE(text.find("protocol error"), std::string::npos) << text;
  EXPECT_NE(text.find("delta.host must be string, not an integer"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("host":5)"), std::string::npos) << text;
}

TEST(HostMessages, MalformedLinesAreErrorsNeverExceptions) {
  for (const char* line : {"", "not json", "[1,2]", "{}", R"({"type":5})", R"({"type":"reply"})",
                           R"({"type":"reply","id":"1","ok":true})", R"({"type":"reply","id":1,"ok":false})",
                           R"({"type":"reply","id":1,"ok":false,"error":{"kind":1,"message":"x"}})",
                           R"({"type":"event"})", R"({"type":"event","event":"forged"})",
                           R"({"type":"event","event":"op_done","host":"h","op":"o","hash":"x","role":null})",
                           R"({"type":"event","event":"connect","host":"h","ok":"yes"})", R"({"type":"surprise"})",
                           R"({"type":"hello","protocol":1.5})", R"({"type":"hello","protocol":1,"pid":"x"})"}) {
    auto message = decode_host_message(line);
    EXPECT_FALSE(message.ok()) << line;
  }
}

TEST(HostMessages, TheQuotedMessageIsTruncatedAndEscaped) {
  std::string line = R"({"type":"event","event":"forged","junk":")" + std::string(5000, 'x') + "\x1b[2J\"}";
  auto message = decode_host_message(line);
  ASSERT_FALSE(message.ok());
  const std::string& text = message.error().message;
  EXPECT_LT(text.size(), 600u);
  EXPECT_NE(text.find("bytes)"), std::string::npos);
  auto escape_sequence = decode_host_message("\x1b[2J{");
  ASSERT_FALSE(escape_sequence.ok());
  EXPECT_EQ(escape_sequence.error().message.find('\x1b'), std::string::npos);
  EXPECT_NE(escape_sequence.error().message.find("\\x1b[2J"), std::string::npos);
}

TEST(HostMessages, ResultsAreCheckedAgainstWhatTheCoreReads) {
  std::string line = "(the reply)";
  EXPECT_TRUE(check_host_result("apply.prepare",
                                json::parse(R"({"roles":[],"hosts":[{"name":1}],"deltas":[],"errors":[]})"), line));
  EXPECT_TRUE(check_host_result(
      "apply.plan", json::parse(R"({"hosts":{"@local":[{"name":"x","will_change":"yes"}]},"errors":[]})"), line));
  EXPECT_TRUE(check_host_result(
      "apply.execute", json::parse(R"({"hosts":{"@local":{"changed":"1","no_change":0,"failed":0,"ops":[]}}})"), line));
  EXPECT_TRUE(check_host_result(
      "apply.execute",
      json::parse(R"({"hosts":{"@local":{"changed":1,"no_change":0,"failed":0,"ops":[{"host":"@local"}]}}})"), line));
  EXPECT_TRUE(check_host_result(
      "apply.execute", json::parse(R"({"hosts":{"@local":{"changed":99999999999,"no_change":0,"failed":0,"ops":[]}}})"),
      line));
  EXPECT_FALSE(check_host_result("manifest", json::parse(R"({"anything":1})"), line));
}

TEST(HostMessages, EventsAreExpectedOnlyDuringTheirRequests) {
  EXPECT_TRUE(event_expected_during("apply.prepare", HostEventKind::delta));
  EXPECT_FALSE(event_expected_during("apply.execute", HostEventKind::delta));
  EXPECT_TRUE(event_expected_during("apply.execute", HostEventKind::op_done));
  EXPECT_FALSE(event_expected_during("handshake", HostEventKind::op_start));
  EXPECT_TRUE(event_expected_during("manifest", HostEventKind::log));
}

TEST(HostMessages, EventsArriveTypedPerKind) {
  auto start = decode_host_message(corpus("event_role_start"));
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start->event.kind, HostEventKind::role_start);
  EXPECT_EQ(start->event.as<RoleStartEvent>().phase, "prepare");
  EXPECT_EQ(start->event.as<RoleStartEvent>().role, "files");
  EXPECT_EQ(start->event.as<RoleStartEvent>().kind, "class");  // absent in prepare: a class role

  auto delta = decode_host_message(corpus("event_delta"));
  ASSERT_TRUE(delta.ok());
  const auto& d = delta->event.as<DeltaEvent>();
  EXPECT_EQ(d.host, "@local");
  EXPECT_EQ(d.role, "files");
  EXPECT_EQ(d.to_add, json::parse(R"({"files":["a.txt"]})"));
  EXPECT_FALSE(d.empty);

  auto done = decode_host_message(corpus("event_op_done_failed"));
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->event.as<OpEvent>().op, "Break on purpose");
  EXPECT_EQ(done->event.body.value("exit_code", 0), 3);  // the renderers still get every field

  auto log = decode_host_message(corpus("event_log"));
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->event.as<LogEvent>().level, "warning");
  EXPECT_EQ(log->event.as<LogEvent>().host, "@local");

  auto refused = decode_host_message(R"({"type":"event","event":"connect","host":"h","ok":false,"error":"no route"})");
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->event.as<ConnectEvent>().ok);
  EXPECT_EQ(refused->event.as<ConnectEvent>().error, "no route");

  auto error = decode_host_message(corpus("event_role_error"));
  ASSERT_TRUE(error.ok());
  EXPECT_EQ(error->event.as<RoleErrorEvent>().error.value("role", ""), "broken");
}

TEST(HostMessages, MalformedAndUnknownMessagesAreProtocolErrorsByKind) {
  for (const char* line : {"not json", R"({"type":"event","event":"forged"})",
                           R"({"type":"event","event":"delta","host":"h","role":"r","to_add":{},"to_remove":{}})"}) {
    auto message = decode_host_message(line);
    ASSERT_FALSE(message.ok()) << line;
    EXPECT_EQ(message.error().kind, ErrorKind::protocol) << line;
  }
}

TEST(HostMessages, AnErrorReplyOtherThanInterruptedIsAHostError) {
  auto message =
      decode_host_message(R"({"type":"reply","id":3,"ok":false,"error":{"kind":"bad_state","message":"m"}})");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->reply.error.kind, ErrorKind::host_error);
  EXPECT_EQ(message->reply.error.wire_kind, "bad_state");
  EXPECT_EQ(message->reply.error.message, "m");
}

TEST(HostMessages, AReplyResultKeepsTheHostsKeyOrder) {
  auto message = decode_host_message(R"({"type":"reply","id":1,"ok":true,"result":{"zeta":1,"alpha":{"b":2,"a":1}}})");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->reply.result.dump(), R"({"zeta":1,"alpha":{"b":2,"a":1}})");
}

TEST(HostMessages, TheHelloDocumentIsKeptFromItsDecoding) {
  auto message = decode_host_message(corpus("hello"));
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->hello.document, json::parse(corpus("hello")));
}

}  // namespace
}  // namespace chaos
