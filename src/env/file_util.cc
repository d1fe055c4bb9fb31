// SPDX-License-Identifier: Apache-2.0
#include "env/file_util.h"

namespace nedb {

std::string JoinPath(const std::string& dir, std::string_view name) {
  std::string p = dir;
  if (!p.empty() && p.back() != '/') p.push_back('/');
  p.append(name);
  return p;
}

std::string DirName(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

void WriteFileAtomically(Env* env, const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  {
    auto f = env->NewWritableFile(tmp);
    f->Append(data);
    f->Sync();
    f->Close();
  }
  env->RenameFile(tmp, path);
  env->SyncDir(DirName(path));
}

std::string ReadFileToString(Env* env, const std::string& path) {
  auto f = env->NewSequentialFile(path);
  // One buffer of the file's size, read into directly; grows only if the
  // file grew meanwhile.
  std::string out(env->GetFileSize(path), '\0');
  std::size_t have = 0;
  for (;;) {
    if (have == out.size()) out.resize(out.size() + (1 << 16));
    std::size_t n = f->Read(out.data() + have, out.size() - have);
    if (n == 0) break;
    have += n;
  }
  out.resize(have);
  return out;
}

}  // namespace nedb
