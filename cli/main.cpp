#include "cli/app.hpp"

int main(int argc, char** argv) { return mctl::cli::run(argc, argv); }
