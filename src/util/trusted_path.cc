#include "util/trusted_path.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "util/fs.h"

namespace chaos {
namespace {

std::string user_name(uid_t uid) {
  if (const passwd* pw = ::getpwuid(uid)) return pw->pw_name;
  return "uid " + std::to_string(uid);
}

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// The path and each directory above it, deepest first ("/a/b" -> "/a/b", "/a", "/").
std::vector<std::string> chain_of(const std::string& path) {
  std::vector<std::string> chain;
  for (std::string p = path; !p.empty();) {
    chain.push_back(p);
    std::string up = parent_path(p);
    if (up == p) break;
    p = up;
  }
  return chain;
}

Status check_chain(const std::string& path, std::string_view what, const std::string& original) {
  const uid_t me = ::geteuid();
  // The first entry that exists decides who may change (or, for a missing path, create) what
  // chaos uses, so it gets no allowance for sticky directories.
  bool target = true;
  for (const std::string& p : chain_of(path)) {
    struct stat st {};
    // Missing: whoever may create it is decided further up. A symlink's own owner and mode
    // mean nothing; the directory holding it is checked next, and the resolved chain apart.
    if (::lstat(p.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) continue;
    const bool is_target = target;
    target = false;
    const std::string subject = std::string(what) + " " + original + (p == original ? "" : " (through " + p + ")");
    if (st.st_uid != 0 && st.st_uid != me) {
      return Error(subject + " is owned by " + user_name(st.st_uid) + " (mode " + mode_text(st.st_mode) + "), not by " +
                       (me == 0 ? std::string("root") : "root or " + user_name(me)) + "; chaos does not use it",
                   p,
                   "if " + p + " is yours to trust: chown " + user_name(me) + " " + p + " (and chmod go-w " + p +
                       "); otherwise use another directory");
    }
    const bool others_may_write = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
    const bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0;
    if (others_may_write && (is_target || !sticky_dir)) {
      return Error(subject + " is writable by other users (owner " + user_name(st.st_uid) + ", mode " +
                       mode_text(st.st_mode) + "); chaos does not use it",
                   p, "chmod go-w " + p);
    }
  }
  return std::nullopt;
}

}  // namespace

Status check_trusted_path(const std::string& path, std::string_view what) {
  const std::string lexical = absolute_path(path);
  if (auto err = check_chain(lexical, what, lexical)) return err;
  // The nearest existing ancestor, resolved: symlinks on the way are checked where they lead.
  std::string existing = lexical;
  std::string rest;
  while (!existing.empty() && existing != "/" && ::access(existing.c_str(), F_OK) != 0) {
    rest = rest.empty() ? base_name(existing) : join_path(base_name(existing), rest);
    existing = parent_path(existing);
  }
  std::string resolved = real_path(existing);
  if (!rest.empty()) resolved = join_path(resolved, rest);
  if (resolved == lexical) return std::nullopt;
  return check_chain(resolved, what, lexical);
}

}  // namespace chaos
