// Copyright annals authors.
//
// A main() for the fuzz targets in ordinary (non-libFuzzer) builds: it feeds each line of
// each file named on the command line to LLVMFuzzerTestOneInput.  Ordinary builds compile
// every target this way (`<target>_replay`) and CTest runs them on the seed inputs, so a
// target that no longer compiles, or an invariant a seed breaks, fails the ordinary test
// suite and not only the clang fuzzing job.  Exit 0 when every input returned; a broken
// invariant aborts.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  size_t inputs = 0;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", argv[i]);
      return 2;
    }
    std::string line;
    while (std::getline(in, line)) {
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(line.data()), line.size());
      ++inputs;
    }
  }
  std::printf("%zu inputs\n", inputs);
  return inputs == 0 ? 1 : 0;
}
