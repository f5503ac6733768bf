// libFuzzer harness for the role-host message decoder (src/host/messages.cc): every line the
// host (or a plugin inside it) can put on the reply pipe goes through decode_host_message, and
// every reply's result through check_host_result. Neither may crash, hang or throw.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//       tests/fuzz/role_host_message_fuzz.cc src/host/messages.cc src/term/escape.cc -o rhm_fuzz
//   ./rhm_fuzz tests/fuzz/corpus/role_host_message
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/messages.h"
#include "term/escape.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto message = chaos::decode_host_message(line);
  if (!message) {
    // The error quotes the line: it must be printable as it is.
    (void)chaos::visible_lines(message.error().message);
    return 0;
  }
  if (message->type == chaos::HostMessage::Type::reply && message->reply.ok) {
    for (const char* method : {"handshake", "apply.prepare", "apply.plan", "apply.execute", "manifest"}) {
      (void)chaos::check_host_result(method, message->reply.result, line);
    }
  }
  if (message->type == chaos::HostMessage::Type::event) {
    (void)chaos::event_expected_during("apply.execute", message->event.kind);
    // Every event that decodes has its typed form: a consumer's as<T>() for its kind never throws.
    if (message->event.data.index() == 0) __builtin_trap();
  }
  return 0;
}
