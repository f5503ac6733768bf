// The file helpers caches, state and outputs are written with: never through a planted link,
// never blocked on a FIFO.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support.h"
#include "util/fs.h"

namespace chaos {
namespace {

TEST(SafeFiles, AtomicWriteReplacesASymlinkAtTheNameNotItsTarget) {
  testing::ScratchDir dir;
  testing::write(dir / "victim", "precious");
  ASSERT_EQ(::symlink((dir / "victim").c_str(), (dir / "cache.json").c_str()), 0);
  ASSERT_FALSE(write_file_atomic(dir / "cache.json", "new").has_value());
  EXPECT_EQ(*read_file(dir / "victim"), "precious");
  struct stat st {};
  ASSERT_EQ(::lstat((dir / "cache.json").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(*read_file(dir / "cache.json"), "new");
}

TEST(SafeFiles, TempFilesAreNewAndUnpredictable) {
  testing::ScratchDir dir;
  auto a = create_temp_beside(dir / "f", 0600);
  auto b = create_temp_beside(dir / "f", 0600);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->name, b->name);
  EXPECT_EQ(a->name.rfind(dir / "f.tmp.", 0), 0u) << a->name;
  EXPECT_EQ(a->name.find(std::to_string(::getpid())), std::string::npos) << a->name;
  EXPECT_TRUE(a->fd && b->fd);  // both open; closed by their Fd
}

TEST(SafeFiles, AppendRefusesASymlinkAndAFifo) {
  testing::ScratchDir dir;
  testing::write(dir / "victim", "precious");
  ASSERT_EQ(::symlink((dir / "victim").c_str(), (dir / "log").c_str()), 0);
  auto linked = open_for_append(dir / "log");
  ASSERT_FALSE(linked.ok());
  EXPECT_NE(linked.error().message.find("is a symbolic link"), std::string::npos) << linked.error().message;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  auto fifo = open_for_append(dir / "fifo");
  ASSERT_FALSE(fifo.ok());
  EXPECT_NE(fifo.error().message.find("is a FIFO"), std::string::npos) << fifo.error().message;
  auto fresh = open_for_append(dir / "new.log");
  ASSERT_TRUE(fresh.ok());
  ASSERT_FALSE(write_all(fresh->get(), "line\n", dir / "new.log").has_value());
  fresh->reset();
  EXPECT_EQ(*read_file(dir / "new.log"), "line\n");
  EXPECT_EQ(*read_file(dir / "victim"), "precious");
}

TEST(SafeFiles, ReadingAFifoInPlaceOfACacheFailsAtOnce) {
  testing::ScratchDir dir;
  ASSERT_EQ(::mkfifo((dir / "cache").c_str(), 0600), 0);
  auto text = read_regular_file(dir / "cache");  // would block forever if it waited
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("is a FIFO, not a regular file"), std::string::npos);
  testing::write(dir / "real", "x");
  EXPECT_EQ(*read_regular_file(dir / "real"), "x");
}

}  // namespace
}  // namespace chaos

namespace chaos {
namespace {

TEST(PathPieces, JoinParentAndBaseFollowTheShellTools) {
  EXPECT_EQ(join_path("/a", "b"), "/a/b");
  EXPECT_EQ(join_path("/a/", "b/c"), "/a/b/c");
  EXPECT_EQ(join_path("", "b"), "b");
  EXPECT_EQ(join_path("/a", "/abs"), "/abs");
  EXPECT_EQ(parent_path("/a/b/"), "/a");
  EXPECT_EQ(parent_path("/a"), "/");
  EXPECT_EQ(parent_path("a"), "");
  EXPECT_EQ(base_name("/a/b/"), "b");
  EXPECT_EQ(base_name("b"), "b");
  EXPECT_EQ(base_name("/"), "/");
}

}  // namespace
}  // namespace chaos
