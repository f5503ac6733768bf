// The Ch-obolo loader on any bytes: the resolved path or an error naming the file, never a crash.
#include "apply/chobolo.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  std::string path = fuzz::put_file("chobolo.yml", fuzz::as_text(data, size));
  (void)validate_chobolo(path);
  return 0;
}
