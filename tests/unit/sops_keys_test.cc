// Keys chaos holds in memory reach the real sops (built by scripts/install-sops.sh, on PATH):
// age identities through an in-memory file at /dev/fd/3, a gpg key through a private GNUPGHOME
// in /dev/shm that is gone afterwards. sops is run with a HOME of its own, so no key of the
// machine's user can be what decrypts.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "sops/sops.h"
#include "test_support.h"
#include "util/fd.h"

namespace chaos {
namespace {

class IsolatedKeys : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"HOME", "XDG_CONFIG_HOME", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY", "GNUPGHOME"}) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      ::unsetenv(name);
    }
    ::setenv("HOME", (dir_ / "home").c_str(), 1);
    ASSERT_FALSE(make_directories(dir_ / "home").has_value());
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_)
      value ? (void)::setenv(name.c_str(), value->c_str(), 1) : (void)::unsetenv(name.c_str());
  }
  std::string run(const std::vector<std::string>& argv, const std::string& input = "", EnvChanges env = {}) {
    RunOptions options;
    options.input = input;
    options.env = std::move(env);
    options.timeout_ms = 60000;
    auto ran = run_capture(argv, options);
    EXPECT_TRUE(ran.ok() && ran->status.exited_with(0))
        << argv[0] << ": " << (ran.ok() ? ran->err : ran.error().message);
    return ran.ok() ? ran->out : "";
  }
  // An encrypted copy of "token: s3cret" for `recipients` (creation rule text).
  SecretFiles encrypted_for(const std::string& rule, const EnvChanges& env = {}) {
    SecretFiles files{dir_ / "secrets.yml", dir_ / "sops.yml"};
    testing::write(files.sops_config, "creation_rules:\n  - path_regex: .*\n" + rule);
    testing::write(files.secrets_file, "token: s3cret\n");
    run({"sops", "--config", files.sops_config, "encrypt", "--in-place", files.secrets_file}, "", env);
    return files;
  }
  testing::ScratchDir dir_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(IsolatedKeys, AgeKeysInMemoryOpenAFileForItsSecondRecipient) {
  run({"age-keygen", "-o", dir_ / "a.txt"});
  run({"age-keygen", "-o", dir_ / "b.txt"});
  std::string a = run({"age-keygen", "-y", dir_ / "a.txt"}), b = run({"age-keygen", "-y", dir_ / "b.txt"});
  a.pop_back();
  b.pop_back();
  SecretFiles files = encrypted_for("    age: " + a + "," + b + "\n");
  SopsSetup nothing;
  EXPECT_FALSE(sops_decrypt(nothing, files).ok());  // no key anywhere: the test can fail
  SopsSetup second;
  auto key = read_file(dir_ / "b.txt");
  ASSERT_TRUE(key.ok());
  // sops tries a's stanza first, then reopens the key file for b's: a pipe would be empty then.
  second.keys.age_identities = *key;
  auto text = sops_decrypt(second, files);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, "token: s3cret\n");
}

TEST_F(IsolatedKeys, AGpgKeyInMemoryDecryptsAndItsHomeIsGone) {
  std::string home = dir_ / "gnupg";
  ASSERT_FALSE(make_directories(home).has_value());
  EnvChanges env = {{"GNUPGHOME", home}};
  run({"gpg", "--batch", "--passphrase", "", "--quick-gen-key", "unit <unit@example.org>"}, "", env);
  std::string listing = run({"gpg", "--with-colons", "--list-secret-keys"}, "", env);
  auto at = listing.find("\nfpr:::::::::");
  ASSERT_NE(at, std::string::npos);
  std::string fpr = listing.substr(at + 13, 40);
  std::string exported = run({"gpg", "--batch", "--export-secret-keys", fpr}, "", env);
  SecretFiles files = encrypted_for("    pgp: " + fpr + "\n", env);
  (void)run({"gpgconf", "--kill", "gpg-agent"}, "", env);
  ASSERT_EQ(::system(("rm -rf '" + home + "'").c_str()), 0);  // the only keyring with it is gone

  SopsSetup nothing;
  EXPECT_FALSE(sops_decrypt(nothing, files).ok());
  SopsSetup held;
  held.keys.gpg_secret_keys = exported;
  auto text = sops_decrypt(held, files);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, "token: s3cret\n");
  DirStream shm("/dev/shm");
  while (const dirent* entry = shm.next()) {
    EXPECT_NE(std::string(entry->d_name).rfind("chaos-gnupg-", 0), 0u) << entry->d_name << " was left in /dev/shm";
  }
}

}  // namespace
}  // namespace chaos
