// util/sha256: SHA-256 (FIPS 180-4), for fingerprints users can check with `sha256sum`: the
// logbook keeps one of each run's Ch-obolo. Not used to protect anything.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace chaos {

class Sha256 {
 public:
  Sha256();
  Sha256& update(std::string_view data);
  std::array<uint8_t, 32> digest();  // once: the object is spent afterwards
  std::string hex_digest();

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;
};

std::string sha256_hex(std::string_view data);

}  // namespace chaos
