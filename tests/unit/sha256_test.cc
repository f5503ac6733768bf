// SHA-256 against the FIPS 180-4 examples and sha256sum: users compare the logbook's Ch-obolo
// fingerprint with `sha256sum`, so it must be the real thing.
#include "util/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace chaos {
namespace {

TEST(Sha256, MatchesTheStandardVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FeedingInPiecesIsTheSameAsAtOnce) {
  std::string text(200, 'x');
  for (size_t cut : {0, 1, 55, 56, 63, 64, 65, 199}) {
    Sha256 h;
    h.update(std::string_view(text).substr(0, cut)).update(std::string_view(text).substr(cut));
    EXPECT_EQ(h.hex_digest(), sha256_hex(text)) << cut;
  }
}

}  // namespace
}  // namespace chaos
