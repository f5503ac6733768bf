// util/process and util/fd: the one layer that starts, feeds, drains, waits for and kills
// children, for run_capture and the role host.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <sstream>

#include "util/fd.h"
#include "util/fs.h"
#include "util/process.h"

namespace chaos {
namespace {

TEST(Fd, ClosesOnceAndMovesOwnership) {
  auto pipe = make_pipe();
  ASSERT_TRUE(pipe.ok());
  int raw = pipe->read.get();
  Fd moved = std::move(pipe->read);
  EXPECT_FALSE(pipe->read);
  EXPECT_EQ(moved.get(), raw);
  EXPECT_EQ(moved.reset(), 0);
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1) << "the descriptor is closed";
  EXPECT_EQ(moved.reset(), 0) << "closing an empty Fd is a no-op";
}

TEST(Fd, PipesAreCloseOnExec) {
  auto pipe = make_pipe();
  ASSERT_TRUE(pipe.ok());
  EXPECT_TRUE(::fcntl(pipe->read.get(), F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(::fcntl(pipe->write.get(), F_GETFD) & FD_CLOEXEC);
}

TEST(RunCapture, ExitCodesSignalsAndBothStreams) {
  auto ok = run_capture({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status.code, 3);
  EXPECT_EQ(ok->status.signal, 0);
  EXPECT_EQ(ok->out, "out\n");
  EXPECT_EQ(ok->err, "err\n");
  auto killed = run_capture({"sh", "-c", "kill -TERM $$"});
  ASSERT_TRUE(killed.ok());
  EXPECT_EQ(killed->status.code, -1);
  EXPECT_EQ(killed->status.signal, SIGTERM);
  EXPECT_EQ(describe_exit(killed->status).rfind("signal 15", 0), 0u);
}

// chaos ignores SIGPIPE for itself (util/signals.h); a child must not inherit that.
TEST(RunCapture, AChildGetsTheDefaultSigpipeEvenWhenWeIgnoreIt) {
  auto previous = ::signal(SIGPIPE, SIG_IGN);
  auto run = run_capture({"bash", "-c", "trap -p PIPE; yes | head -c1 >/dev/null; echo \"${PIPESTATUS[0]}\""});
  ::signal(SIGPIPE, previous);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->out, "141\n");  // `yes` died of SIGPIPE (128 + 13), and no trap was listed
}

TEST(RunCapture, EnvironmentChangesReachOnlyTheChild) {
  ::setenv("CHAOS_PROCESS_TEST_KEPT", "kept", 1);
  ::setenv("CHAOS_PROCESS_TEST_GONE", "gone", 1);
  RunOptions options;
  options.env = {{"CHAOS_PROCESS_TEST_SET", "set"}, {"CHAOS_PROCESS_TEST_GONE", std::nullopt}};
  auto run = run_capture(
      {"sh", "-c", "echo \"$CHAOS_PROCESS_TEST_KEPT/$CHAOS_PROCESS_TEST_SET/${CHAOS_PROCESS_TEST_GONE-unset}\""},
      options);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->out, "kept/set/unset\n");
  EXPECT_EQ(std::getenv("CHAOS_PROCESS_TEST_SET"), nullptr);
  EXPECT_STREQ(std::getenv("CHAOS_PROCESS_TEST_GONE"), "gone");
}

// The sops age key route: a pipe's read end at a chosen number, readable as /dev/fd/N. Its
// number in this process may be that very number: it must still arrive (not close-on-exec).
TEST(RunCapture, AnExtraDescriptorArrivesAtItsNumberEvenWhenItIsAlreadyThere) {
  for (bool same_number : {true, false}) {
    auto pipe = make_pipe();
    ASSERT_TRUE(pipe.ok());
    ASSERT_FALSE(write_all(pipe->write.get(), "key material\n", "pipe").has_value());
    pipe->write.reset();
    int number = same_number ? pipe->read.get() : 7;
    RunOptions options;
    options.fds = {{pipe->read.get(), number}};
    auto run = run_capture({"sh", "-c", "cat /dev/fd/" + std::to_string(number)}, options);
    ASSERT_TRUE(run.ok());
    EXPECT_EQ(run->out, "key material\n") << "at " << number << ": " << run->err;
  }
}

TEST(RunCapture, InputReachesStdinAndLargeOutputDoesNotDeadlock) {
  std::string input(1 << 20, 'x');  // more than a pipe holds, both ways at once
  auto run = run_capture({"cat"}, RunOptions{input, 20000});
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->out.size(), input.size());
  EXPECT_TRUE(run->status.exited_with(0));
}

TEST(RunCapture, AMissingProgramIsAnErrorNamingIt) {
  auto run = run_capture({"/nonexistent/program"});
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().message.find("/nonexistent/program"), std::string::npos);
}

TEST(RunCapture, TimeoutKillsTheChild) {
  auto run = run_capture({"sleep", "30"}, RunOptions{"", 200});
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().message.find("did not finish"), std::string::npos);
}

TEST(RunCapture, NoDescriptorOfOursLeaksIntoTheChild) {
  // A descriptor of ours at a number nothing else uses, close-on-exec like all chaos opens.
  Fd ours(::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 200));
  ASSERT_TRUE(ours);
  // What a child may see besides 0, 1 and 2: descriptors this test process was itself given
  // without close-on-exec by whatever started it (not chaos's to close).
  std::set<std::string> inherited = {"0", "1", "2"};
  DirStream self("/proc/self/fd");
  while (const dirent* entry = self.next()) {
    int fd = std::atoi(entry->d_name);
    if (entry->d_name[0] != '.' && ::fcntl(fd, F_GETFD) >= 0 && !(::fcntl(fd, F_GETFD) & FD_CLOEXEC))
      inherited.insert(entry->d_name);
  }
  auto run = run_capture({"sh", "-c", "cd /proc/self/fd && echo *"});
  ASSERT_TRUE(run.ok());
  std::istringstream seen(run->out);
  std::string fd;
  int unexplained = 0;
  while (seen >> fd) unexplained += inherited.count(fd) ? 0 : 1;
  // One is the descriptor the shell reads the directory with; the pipes' other ends and ours
  // would be more.
  EXPECT_LE(unexplained, 1) << run->out;
  EXPECT_EQ(run->out.find(std::to_string(ours.get())), std::string::npos) << run->out;
}

TEST(ChildProcess, MapsDescriptorsToChosenNumbers) {
  auto pipe = make_pipe();
  ASSERT_TRUE(pipe.ok());
  auto child = ChildProcess::spawn({"/bin/sh", "-c", "echo mapped >&7"}, {{pipe->write.get(), 7}});
  ASSERT_TRUE(child.ok());
  pipe->write.reset();
  char buf[32] = {};
  ssize_t n = ::read(pipe->read.get(), buf, sizeof buf - 1);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "mapped\n");
  EXPECT_TRUE(child->wait().exited_with(0));
  EXPECT_FALSE(child->running());
}

TEST(ChildProcess, PollWaitsForNothingAndSignalsEndIt) {
  auto child = ChildProcess::spawn({"/bin/sleep", "30"}, {});
  ASSERT_TRUE(child.ok());
  EXPECT_FALSE(child->poll().has_value());
  child->signal(SIGTERM);
  ExitStatus status = child->wait();
  EXPECT_EQ(status.signal, SIGTERM);
  EXPECT_EQ(status.code, -1);
}

TEST(ChildProcess, DestroyingARunningChildKillsAndReapsIt) {
  pid_t pid = -1;
  {
    auto child = ChildProcess::spawn({"/bin/sleep", "30"}, {});
    ASSERT_TRUE(child.ok());
    pid = child->pid();
  }
  // Reaped: the pid is no child of ours any more (ECHILD), not a zombie left behind.
  EXPECT_EQ(::kill(pid, 0), -1);
}

TEST(ExitStatus, DecodesWaitStatuses) {
  EXPECT_TRUE(decode_wait_status(3 << 8).exited_with(3));
  ExitStatus killed = decode_wait_status(SIGKILL);
  EXPECT_EQ(killed.signal, SIGKILL);
  EXPECT_FALSE(killed.exited_with(0));
  EXPECT_EQ(describe_exit(ExitStatus{2, 0}), "exit status 2");
}

}  // namespace
}  // namespace chaos
