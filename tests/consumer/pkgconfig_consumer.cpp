// One file built with `c++ pkgconfig_consumer.cpp $(pkg-config --cflags --libs nnfield)`:
//   pkgconfig_consumer MODEL
// Prints the library's version and checks the model file (nnfield validate's rules).
#include <cstdio>
#include <exception>

#include "nnfield/config/config.hpp"
#include "nnfield/io/provenance.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: pkgconfig_consumer MODEL\n");
    return 1;
  }
  try {
    const nnfield::ModelConfig config = nnfield::load_model_file(argv[1]);
    std::printf("%s %s M=%d\n", nnfield::version().c_str(), config.title.c_str(), config.network.shape.M);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pkgconfig_consumer: %s\n", e.what());
    return 1;
  }
  return 0;
}
