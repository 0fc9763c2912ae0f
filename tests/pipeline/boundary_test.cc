// Tests the pipeline's source boundary: it sees radar frames and app settings only.
// (CMake already denies the include paths; this catches a relative-path include.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

TEST(PipelineBoundaryTest, PipelineSourcesIncludeNoTruthSideHeaders) {
  const std::filesystem::path root = std::filesystem::path(NIGHTSIM_SOURCE_DIR) / "pipeline";
  ASSERT_TRUE(std::filesystem::exists(root)) << root;
  // An include naming a forbidden folder anywhere in its path, relative or not.
  const std::regex forbidden(R"re(^\s*#\s*include\s*[<"]([^>"]*/)?(core|sleepers|physics|harness)/)re");
  const std::regex allowed_nightsim(R"re(^\s*#\s*include\s*"(frame|pipeline)/)re");
  const std::regex any_quoted(R"re(^\s*#\s*include\s*"([^"]+)")re");
  int files = 0;
  std::vector<std::string> violations;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".h" && ext != ".cc" && ext != ".txt")) continue;
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      std::smatch m;
      const bool bad = std::regex_search(line, forbidden) ||
                       (std::regex_search(line, m, any_quoted) && !std::regex_search(line, allowed_nightsim));
      if (bad) violations.push_back(entry.path().string() + ":" + std::to_string(n) + ": " + line);
    }
  }
  EXPECT_GE(files, 10);
  for (const std::string& v : violations) ADD_FAILURE() << v;
}

}  // namespace
