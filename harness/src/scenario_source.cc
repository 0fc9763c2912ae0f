// Scenario sources: YAML text → Tree with provenance, `extends` chains and the
// merge rules documented in scenarios/README.md ("Composition").

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario_detail.h"

namespace nightsim::harness::detail {

namespace fs = std::filesystem;

const Tree* Tree::Find(std::string_view key) const {
  for (const auto& e : map)
    if (e.key == key) return &e.value;
  return nullptr;
}

Tree* Tree::Find(std::string_view key) {
  for (auto& e : map)
    if (e.key == key) return &e.value;
  return nullptr;
}

void Problems::Add(const Src& at, std::string key, std::string message) {
  list.push_back(InputProblem{at.file, at.line, at.column, std::move(key), std::move(message)});
}

bool Problems::Under(std::string_view path) const {
  for (const auto& p : list) {
    if (p.key.size() < path.size() || p.key.compare(0, path.size(), path) != 0) continue;
    if (p.key.size() == path.size()) return true;
    const char next = p.key[path.size()];
    if (next == '.' || next == '[') return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------

int EditDistance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                               std::tolower(static_cast<unsigned char>(b[j - 1]))
                           ? 0
                           : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);  // transposition
    }
  }
  return d[n][m];
}

std::optional<std::string> NearestWord(std::string_view typed, const std::vector<std::string>& candidates) {
  // A key written without its unit suffix is the most common slip with the
  // units-in-key-names convention, and too far away for the edit distance.
  for (const auto& c : candidates)
    if (c.size() > typed.size() + 1 && c.compare(0, typed.size(), typed) == 0 && c[typed.size()] == '_')
      return c;
  std::optional<std::string> best;
  int best_distance = 0;
  for (const auto& c : candidates) {
    const int d = EditDistance(typed, c);
    if (!best || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  const int allowed = std::max(2, static_cast<int>(typed.size()) / 3);
  if (best && best_distance <= allowed && best_distance < static_cast<int>(std::max(typed.size(), best->size())))
    return best;
  return std::nullopt;
}

std::string DidYouMean(std::string_view typed, const std::vector<std::string>& candidates) {
  const auto near = NearestWord(typed, candidates);
  return near ? fmt::format(" (did you mean '{}'?)", *near) : std::string();
}

// ---------------------------------------------------------------------------------

namespace {

// Aliases can expand a small file into a huge tree ("billion laughs"); a real
// scenario has a few hundred nodes.
constexpr int kMaxNodes = 200000;

Src SrcOf(const YAML::Mark& mark, const std::string& file, const Src& fallback) {
  if (mark.is_null() || mark.line < 0) return fallback;
  return Src{file, mark.line + 1, mark.column + 1};
}

Tree Convert(const YAML::Node& node, const std::string& file, const std::string& path, const Src& fallback,
             int& budget, Problems& problems) {
  Tree t;
  if (--budget < 0) return t;
  // A null value's own mark points past the key (often at the next line): use the key's.
  t.src = node.IsNull() ? fallback : SrcOf(node.Mark(), file, fallback);
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      t.kind = Tree::Kind::kScalar;
      t.text = node.Scalar();
      break;
    case YAML::NodeType::Sequence:
      t.kind = Tree::Kind::kSeq;
      for (const auto& child : node)
        t.seq.push_back(Convert(child, file, fmt::format("{}[{}]", path, t.seq.size()), t.src, budget, problems));
      break;
    case YAML::NodeType::Map:
      t.kind = Tree::Kind::kMap;
      for (auto it = node.begin(); it != node.end(); ++it) {
        Entry e;
        e.key_src = SrcOf(it->first.Mark(), file, t.src);
        if (!it->first.IsScalar()) {
          problems.Add(e.key_src, path, "expected a plain word as key, got a list or mapping");
          continue;
        }
        e.key = it->first.Scalar();
        // Reported here, before `extends` merging would silently collapse the two.
        const auto first = std::find_if(t.map.begin(), t.map.end(), [&](const Entry& x) { return x.key == e.key; });
        if (first != t.map.end()) {
          problems.Add(e.key_src, path.empty() ? e.key : path + "." + e.key,
                       fmt::format("duplicate key '{}' (first written at line {})", e.key, first->key_src.line));
          continue;
        }
        e.value = Convert(it->second, file, path.empty() ? e.key : path + "." + e.key, e.key_src, budget, problems);
        t.map.push_back(std::move(e));
      }
      break;
    default:
      t.kind = Tree::Kind::kNull;
  }
  return t;
}

// Records where each document starts; the values themselves come from YAML::Load.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

std::string DisplayPath(const fs::path& p) { return p.lexically_normal().generic_string(); }

std::optional<std::string> ReadFile(const fs::path& path, std::string* why) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    *why = "is a directory, not a scenario file";
    return std::nullopt;
  }
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec)) {
    // A device or a pipe (/dev/zero, a FIFO) would never end or never be a scenario.
    *why = "is not a regular file";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *why = fs::exists(path, ec) ? "cannot be read (permissions?)" : "does not exist";
    return std::nullopt;
  }
  // Scenarios are a few kB; anything far larger is not one, and reading it whole
  // would only exhaust memory.
  constexpr std::size_t kMaxScenarioBytes = 4u << 20;
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxScenarioBytes) {
      *why = "is larger than 4 MiB, not a scenario file";
      return std::nullopt;
    }
  }
  return text;
}

// Lists merged element-by-element (by the key named here) rather than replaced.
const char* MergeIdKey(std::string_view path) {
  if (path == "people" || path == "pets") return "id";
  if (path == "room.furniture" || path == "room.clutter") return "name";
  return nullptr;
}

bool IsTrue(const Tree* t) { return t && t->kind == Tree::Kind::kScalar && t->text == "true"; }

void MergeInto(Tree& base, const Tree& over, const std::string& path, Problems& problems);

void MergeKeyedList(Tree& base, const Tree& over, const std::string& path, const char* id_key,
                    Problems& problems) {
  for (const auto& element : over.seq) {
    const Tree* id = element.kind == Tree::Kind::kMap ? element.Find(id_key) : nullptr;
    if (!id || id->kind != Tree::Kind::kScalar) {
      base.seq.push_back(element);  // the reader reports the missing id
      continue;
    }
    auto match = std::find_if(base.seq.begin(), base.seq.end(), [&](const Tree& b) {
      const Tree* bid = b.kind == Tree::Kind::kMap ? b.Find(id_key) : nullptr;
      return bid && bid->kind == Tree::Kind::kScalar && bid->text == id->text;
    });
    const bool remove = IsTrue(element.Find("remove"));
    if (match == base.seq.end()) {
      if (remove)
        problems.Add(element.src, path,
                     fmt::format("cannot remove '{}': the extended scenario has no element with {} '{}'",
                                 id->text, id_key, id->text));
      else
        base.seq.push_back(element);
    } else if (remove) {
      base.seq.erase(match);
    } else {
      MergeInto(*match, element, path + "[]", problems);
    }
  }
}

void MergeInto(Tree& base, const Tree& over, const std::string& path, Problems& problems) {
  if (base.kind != Tree::Kind::kMap || over.kind != Tree::Kind::kMap) {
    base = over;
    return;
  }
  base.src = over.src;
  for (const auto& e : over.map) {
    if (path.empty() && e.key == "extends") continue;
    const std::string child = path.empty() ? e.key : path + "." + e.key;
    auto it = std::find_if(base.map.begin(), base.map.end(), [&](const Entry& b) { return b.key == e.key; });
    if (e.value.IsNull()) {  // `key: null` (or `key:`) deletes an inherited key
      if (it != base.map.end()) base.map.erase(it);
      continue;
    }
    if (it == base.map.end()) {
      base.map.push_back(e);
      continue;
    }
    const char* id_key = MergeIdKey(child);
    if (id_key && it->value.kind == Tree::Kind::kSeq && e.value.kind == Tree::Kind::kSeq) {
      MergeKeyedList(it->value, e.value, child, id_key, problems);
    } else if (it->value.kind == Tree::Kind::kMap && e.value.kind == Tree::Kind::kMap) {
      MergeInto(it->value, e.value, child, problems);
    } else {
      it->value = e.value;
    }
    it->key_src = e.key_src;
  }
}

struct ChainLink {
  std::string canonical;
  std::string display;
};

std::optional<Tree> LoadRoot(const std::string& text, const std::string& display, Problems& problems) {
  auto tree = ParseYaml(text, display, problems);
  if (!tree) return std::nullopt;
  if (tree->kind != Tree::Kind::kMap) {
    problems.Add(tree->src.line ? tree->src : Src{display, 1, 1}, "",
                 tree->IsNull() ? "the file is empty: expected a scenario mapping (key: value lines)"
                                : "expected a mapping (key: value lines) at the top level of a scenario");
    return std::nullopt;
  }
  return tree;
}

std::optional<Tree> FollowExtends(Tree root, const fs::path& path, std::vector<ChainLink>& chain,
                                  Problems& problems);

std::optional<Tree> LoadChain(const fs::path& path, std::vector<ChainLink>& chain, const Src* from,
                              Problems& problems) {
  const std::string display = DisplayPath(path);
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  if (ec) canonical = fs::absolute(path).lexically_normal();
  for (const auto& link : chain) {
    if (link.canonical != canonical.string()) continue;
    std::string cycle;
    for (const auto& l : chain) cycle += l.display + " → ";
    problems.Add(*from, "extends", fmt::format("extends cycle: {}{}", cycle, display));
    return std::nullopt;
  }
  std::string why;
  const auto text = ReadFile(path, &why);
  if (!text) {
    if (from)
      problems.Add(*from, "extends", fmt::format("the extended scenario '{}' {}", display, why));
    else
      problems.Add(Src{display, 0, 0}, "", fmt::format("the scenario file {}", why));
    return std::nullopt;
  }
  auto root = LoadRoot(*text, display, problems);
  if (!root) return std::nullopt;
  chain.push_back({canonical.string(), display});
  auto merged = FollowExtends(std::move(*root), path, chain, problems);
  chain.pop_back();
  return merged;
}

std::optional<Tree> FollowExtends(Tree root, const fs::path& path, std::vector<ChainLink>& chain,
                                  Problems& problems) {
  const auto it = std::find_if(root.map.begin(), root.map.end(), [](const Entry& e) { return e.key == "extends"; });
  if (it == root.map.end()) return root;
  if (it->value.kind != Tree::Kind::kScalar || it->value.text.empty()) {
    problems.Add(it->value.src, "extends", "expected the path of a scenario file (relative to this file)");
    return std::nullopt;
  }
  const fs::path base_path = path.parent_path() / it->value.text;
  auto base = LoadChain(base_path, chain, &it->value.src, problems);
  if (!base) return std::nullopt;
  MergeInto(*base, root, "", problems);
  base->map.erase(std::remove_if(base->map.begin(), base->map.end(), [](const Entry& e) { return e.key == "extends"; }),
                  base->map.end());
  return base;
}

}  // namespace

std::optional<Tree> ParseYaml(const std::string& text, const std::string& file, Problems& problems) {
  // Count documents with the event parser first, at most a few: yaml-cpp 0.7's
  // LoadAll loops forever (until memory runs out) on a stray top-level ','.
  DocumentStarts starts;
  YAML::Node doc;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (starts.marks.size() < 3 && parser.HandleNextDocument(starts)) {
    }
    if (starts.marks.size() > 1) {
      const YAML::Mark& second = starts.marks[1];
      const Src at{file, second.line + 1, second.column + 1};
      // A "document" that starts where the previous one did consumed nothing: a token out of place.
      if (second.pos <= starts.marks[0].pos || (starts.marks.size() > 2 && starts.marks[2].pos <= second.pos)) {
        const char c = second.pos >= 0 && static_cast<std::size_t>(second.pos) < text.size() ? text[second.pos] : '?';
        problems.Add(at, "", fmt::format("malformed YAML: unexpected '{}'", c));
      } else {
        problems.Add(at, "", "expected one YAML document, found more ('---' separators)");
      }
      return std::nullopt;
    }
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    const Src at = e.mark.is_null() ? Src{file, 0, 0} : Src{file, e.mark.line + 1, e.mark.column + 1};
    problems.Add(at, "", fmt::format("malformed YAML: {}", e.msg));
    return std::nullopt;
  }
  if (starts.marks.empty() || doc.IsNull()) return Tree{Tree::Kind::kNull, "", {}, {}, Src{file, 1, 1}};
  int budget = kMaxNodes;
  Tree t = Convert(doc, file, "", Src{file, 1, 1}, budget, problems);
  if (budget < 0) {
    problems.Add(Src{file, 1, 1}, "", fmt::format("the document expands to more than {} nodes (aliases?)", kMaxNodes));
    return std::nullopt;
  }
  return t;
}

std::optional<Tree> LoadMerged(const std::string& path, Problems& problems) {
  std::vector<ChainLink> chain;
  return LoadChain(fs::path(path), chain, nullptr, problems);
}

std::optional<Tree> LoadMergedText(const std::string& text, const std::string& path, Problems& problems) {
  const std::string display = DisplayPath(path);
  auto root = LoadRoot(text, display, problems);
  if (!root) return std::nullopt;
  std::vector<ChainLink> chain;
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(path, ec);
  chain.push_back({ec ? display : canonical.string(), display});
  return FollowExtends(std::move(*root), fs::path(path), chain, problems);
}

}  // namespace nightsim::harness::detail
