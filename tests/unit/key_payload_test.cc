#include <gtest/gtest.h>

#include <random>

#include "sops/key_payload.h"

namespace chaos {
namespace {

const char* const kAgeFile =
    "# created: 2026-01-01T00:00:00Z\n"
    "# public key: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n"
    "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n";

// Python's base64.b85encode on the same bytes (the original wrote gpg items with it).
TEST(KeyPayload, Base85MatchesPythonForEveryTailLength) {
  EXPECT_EQ(base85_encode(""), "");
  EXPECT_EQ(base85_encode("h"), "Xa");
  EXPECT_EQ(base85_encode("he"), "Xk`");
  EXPECT_EQ(base85_encode("hel"), "Xk}~");
  EXPECT_EQ(base85_encode("hell"), "Xk~0{");
  EXPECT_EQ(base85_encode("hello"), "Xk~0{Zv");
  EXPECT_EQ(base85_encode(std::string(4, '\0')), "00000");
  EXPECT_EQ(base85_encode("\xff\xff\xff\xff\xff"), "|NsC0{{");
  for (const char* text : {"", "h", "he", "hel", "hell", "hello", "\xff\xff\xff\xff\xff"}) {
    EXPECT_EQ(base85_decode(base85_encode(text)), std::optional<std::string>(text)) << text;
  }
}

TEST(KeyPayload, Base85RefusesWhatNoEncoderWrites) {
  EXPECT_EQ(base85_decode("X"), std::nullopt);       // one character holds no byte
  EXPECT_EQ(base85_decode("Xk\"0{"), std::nullopt);  // not in the alphabet
  EXPECT_EQ(base85_decode("~~~~~"), std::nullopt);   // more than 32 bits
}

TEST(KeyPayload, AgeItemKeepsEachPairAndReadsBackTheIdentities) {
  auto text = age_payload(kAgeFile, false);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, kAgeFile);
  auto parsed = parse_key_payload(KeyType::age, "  " + *text, "item");  // leading blanks, as rbw keeps them
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->public_keys,
            std::vector<std::string>{"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"});
  std::string file = kAgeFile;
  EXPECT_EQ(parsed->secret, file.substr(file.find("AGE-SECRET")));
  EXPECT_FALSE(parsed->no_import);
  auto keys = sops_keys_from(*parsed, "item");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->age_identities, parsed->secret);
  EXPECT_TRUE(keys->gpg_secret_keys.empty());
}

TEST(KeyPayload, AgeFileWithoutItsPublicKeyLinesOrWithoutKeysIsRefused) {
  auto missing = age_payload("AGE-SECRET-KEY-1ABC\n", false);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("1 secret key(s) but 0"), std::string::npos);
  EXPECT_FALSE(age_payload("# nothing here\n", false).ok());
  auto item = parse_key_payload(KeyType::age, "# public key: age1x\n", "bw item 7");
  ASSERT_FALSE(item.ok());
  EXPECT_EQ(item.error().where, "bw item 7");
}

TEST(KeyPayload, NoImportMarkerIsWrittenFirstAndFoundAnywhere) {
  auto text = age_payload(kAgeFile, true);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->rfind("# NO-IMPORT\n", 0), 0U);
  EXPECT_TRUE(parse_key_payload(KeyType::age, *text, "i")->no_import);
  EXPECT_TRUE(parse_key_payload(KeyType::age, std::string(kAgeFile) + "   # NO-IMPORT  \n", "i")->no_import);
  EXPECT_FALSE(parse_key_payload(KeyType::age, std::string(kAgeFile) + "# NO-IMPORTANT\n", "i")->no_import);
}

TEST(KeyPayload, GpgItemRoundTripsBinaryKeysThroughTheSwappedAlphabet) {
  std::mt19937 random(7);
  std::string keys(5000, '\0');
  for (char& c : keys) c = static_cast<char>(random() % 7 == 0 ? random() : 'k');  // compressible, all bytes
  std::string fp = "0123456789ABCDEF0123456789ABCDEF01234567";
  auto text = gpg_payload({fp}, keys, false);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->rfind("# fingerprints: ['" + fp + "']\n-----BEGIN PGP PRIVATE KEY BLOCK-----\n", 0), 0U);
  for (char swapped : {'$', ';', '|', '&', '{'}) EXPECT_EQ(text->find(swapped), std::string::npos) << swapped;
  auto parsed = parse_key_payload(KeyType::gpg, *text, "i");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->secret, keys);
  EXPECT_EQ(parsed->public_keys, std::vector<std::string>{fp});
  EXPECT_EQ(sops_keys_from(*parsed, "i")->gpg_secret_keys, keys);
}

TEST(KeyPayload, DamagedOrTruncatedGpgBlocksAreErrorsNotGarbage) {
  std::mt19937 random(3);
  std::string keys(3000, '\0');
  for (char& c : keys) c = static_cast<char>(random());  // incompressible: many lines of base85
  auto text = *gpg_payload({}, keys, false);
  std::string cut = text.substr(0, text.find("-----END"));
  EXPECT_FALSE(parse_key_payload(KeyType::gpg, cut, "i").ok());  // no END line
  std::string body_cut = text;
  body_cut.erase(body_cut.find('\n', 60) + 1, 10);  // ten characters of the block gone
  auto damaged = parse_key_payload(KeyType::gpg, body_cut, "i");
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.error().message.find("damaged"), std::string::npos) << damaged.error().message;
}

TEST(KeyPayload, GpgBlockThatInflatesPastTheLimitIsRefused) {
  auto bomb = gpg_payload({}, std::string(size_t{5} << 20, 'A'), false);  // compresses to a few KB
  ASSERT_TRUE(bomb.ok());
  EXPECT_LT(bomb->size(), size_t{64} << 10);
  EXPECT_FALSE(parse_key_payload(KeyType::gpg, *bomb, "i").ok());
}

TEST(KeyPayload, VaultTokensAreCheckedAndBecomeSopsVaultToken) {
  EXPECT_FALSE(vault_payload("https://vault:8200", "not-a-token", false).ok());
  EXPECT_FALSE(vault_payload("", "hvs.abc", false).ok());
  auto text = vault_payload("https://vault:8200", "token hvs.CAESIabc\n", false);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "# Vault Address:: https://vault:8200\nVault Key: hvs.CAESIabc\n");
  auto parsed = parse_key_payload(KeyType::vault, *text, "i");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->secret, "hvs.CAESIabc");
  EXPECT_EQ(parsed->public_keys, std::vector<std::string>{"https://vault:8200"});
  auto keys = sops_keys_from(*parsed, "i");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->vault_token, "hvs.CAESIabc");
  EXPECT_TRUE(keys->age_identities.empty());
}

TEST(KeyPayload, KeyTypeNames) {
  EXPECT_EQ(key_type_named("pgp"), KeyType::gpg);
  EXPECT_EQ(key_type_named("gpg"), KeyType::gpg);
  EXPECT_EQ(key_type_named("AGE"), std::nullopt);
  EXPECT_STREQ(key_type_name(KeyType::vault), "vault");
}

}  // namespace
}  // namespace chaos
