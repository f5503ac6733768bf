// The role-host client (host/role_host.h) against small fake hosts: shell scripts started the
// way the real host is (`INTERPRETER -I -c BOOTSTRAP --request-fd N --reply-fd M`) that break
// the protocol on purpose. Each error path must come back as an error of the right kind, with
// what the host said, and leave no process behind.
#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "host/role_host.h"
#include "test_support.h"

namespace chaos {
namespace {

using testing::ScratchDir;

// $5 is the request descriptor, $7 the reply descriptor (after -I -c SCRIPT).
// bash: dash cannot redirect descriptors above 9, and the host's are random numbers above 10.
constexpr const char* kPrologue = "#!/bin/bash\nreq=$5; rep=$7\n";
constexpr const char* kHello =
    R"(printf '%s\n' '{"type":"hello","protocol":1,"capabilities":[],"python":"3.11","pid":1,"pyinfra":null,"executable":"/x","sys_path":[]}' >&$rep)";

struct FakeHost {
  ScratchDir dir;
  HostLaunch launch;
  explicit FakeHost(const std::string& body) {
    launch.interpreter = dir / "fake-python";
    testing::write(launch.interpreter, std::string(kPrologue) + "eval \"exec <&$req\"\n" + body + "\n");
    ::chmod(launch.interpreter.c_str(), 0755);
    launch.warm_pyinfra = false;
  }
};

bool gone(pid_t pid) { return ::kill(pid, 0) != 0; }

TEST(RoleHostClient, AHostThatExitsBeforeHelloIsReportedWithItsStatusAndStderr) {
  FakeHost fake("echo 'ImportError: no module named boom' >&2; exit 1");
  auto host = RoleHost::start(fake.launch);
  ASSERT_TRUE(host.ok()) << host.error().message;
  pid_t pid = (*host)->pid();
  auto hello = (*host)->handshake();
  ASSERT_FALSE(hello.ok());
  EXPECT_EQ(hello.error().kind, ErrorKind::host_died);
  EXPECT_NE(hello.error().message.find("died while starting: exit status 1"), std::string::npos)
      << hello.error().message;
  EXPECT_NE(hello.error().message.find("| ImportError: no module named boom"), std::string::npos);
  EXPECT_TRUE(gone(pid));
}

TEST(RoleHostClient, AnEnvironmentWithoutTheSdkIsSaidAsSuch) {
  FakeHost fake("exit 4");  // the bootstrap's status when chaos.host cannot be imported
  auto host = RoleHost::start(fake.launch);
  ASSERT_TRUE(host.ok());
  auto hello = (*host)->handshake();
  ASSERT_FALSE(hello.ok());
  EXPECT_EQ(hello.error().kind, ErrorKind::host_unavailable);
  EXPECT_NE(hello.error().message.find("no chaos SDK"), std::string::npos) << hello.error().message;
  EXPECT_NE(hello.error().hint.find("pip install"), std::string::npos);
}

TEST(RoleHostClient, GarbageOnTheReplyPipeIsAProtocolErrorAndStopsTheHost) {
  FakeHost fake("echo 'this is not json' >&$rep; sleep 30");
  auto host = RoleHost::start(fake.launch);
  ASSERT_TRUE(host.ok());
  pid_t pid = (*host)->pid();
  auto hello = (*host)->handshake();
  ASSERT_FALSE(hello.ok());
  EXPECT_EQ(hello.error().kind, ErrorKind::protocol);
  EXPECT_EQ((*host)->last_error().kind, ErrorKind::protocol);
  EXPECT_TRUE(gone(pid)) << "a host whose stream cannot be trusted is stopped at once";
}

TEST(RoleHostClient, AReplyToAnotherRequestIsAProtocolError) {
  FakeHost fake(std::string(kHello) +
                "\nread line\n"
                R"(printf '%s\n' '{"type":"reply","id":99,"ok":true,"result":{}}' >&$rep; sleep 30)");
  auto host = RoleHost::start(fake.launch);
  ASSERT_TRUE(host.ok());
  auto hello = (*host)->handshake();
  ASSERT_FALSE(hello.ok());
  EXPECT_EQ(hello.error().kind, ErrorKind::protocol);
  EXPECT_NE(hello.error().message.find("not expected during handshake"), std::string::npos) << hello.error().message;
}

TEST(RoleHostClient, AHostKilledByASignalMidCallIsReportedAsSuch) {
  FakeHost fake(std::string(kHello) + "\nread line\nkill -KILL $$");
  auto host = RoleHost::start(fake.launch);
  ASSERT_TRUE(host.ok());
  pid_t pid = (*host)->pid();
  auto hello = (*host)->handshake();
  ASSERT_FALSE(hello.ok());
  EXPECT_EQ(hello.error().kind, ErrorKind::host_died);
  EXPECT_NE(hello.error().message.find("died while running handshake: signal 9"), std::string::npos)
      << hello.error().message;
  EXPECT_TRUE(gone(pid));
  auto again = (*host)->call("manifest", nlohmann::json::object());
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("not running any more"), std::string::npos);
}

TEST(RoleHostClient, ShutdownKillsAHostThatIgnoresItAfterTheGraceTime) {
  FakeHost fake(std::string(kHello) + "\ntrap '' TERM INT\nwhile :; do sleep 1; done");
  auto host = RoleHost::start(fake.launch);
  ASSERT_TRUE(host.ok());
  pid_t pid = (*host)->pid();
  (*host)->shutdown(200);
  EXPECT_TRUE(gone(pid));
}

TEST(RoleHostClient, AnInterpreterThatCannotBeStartedIsAnErrorNamingIt) {
  HostLaunch launch;
  launch.interpreter = "/nonexistent/python3";
  auto host = RoleHost::start(launch);
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.error().message.find("cannot start the role host"), std::string::npos);
  EXPECT_EQ(host.error().where, "/nonexistent/python3");
}

}  // namespace
}  // namespace chaos
