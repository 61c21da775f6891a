// Tests for base/dynlib.h: the error texts when a library or a symbol is
// missing, and a function resolved with its header's type.
#include "base/dynlib.h"

#include <gtest/gtest.h>

#include <cstring>

namespace shiori {
namespace {

TEST(Dynlib, AMissingLibraryNamesItsSonameAndPackage) {
  auto lib = dynlib::Open("libshiori-no-such.so.0", "shiori-no-such");
  ASSERT_FALSE(lib.ok());
  EXPECT_EQ(lib.status().code(), Status::Code::kIo);
  const std::string m = lib.status().message();
  EXPECT_EQ(m.rfind("cannot load libshiori-no-such.so.0 (shiori-no-such): ", 0), 0u) << m;
  EXPECT_NE(m.find("cannot open shared object file"), std::string::npos) << "dlerror's text: " << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);
}

TEST(Dynlib, ResolvesWithTheHeadersTypeOrSaysWhatIsMissing) {
  auto lib = dynlib::Open("libc.so.6", "libc6");
  ASSERT_TRUE(lib.ok()) << lib.status().message();
  decltype(&::strlen) len = nullptr;
  ASSERT_TRUE(dynlib::Resolve(*lib, "libc.so.6", "strlen", &len).ok());
  ASSERT_NE(len, nullptr);
  EXPECT_EQ(len("shiori"), 6u);

  decltype(&::strlen) none = nullptr;
  Status s = dynlib::Resolve(*lib, "libc.so.6", "shiori_no_such_function", &none);
  EXPECT_EQ(s.code(), Status::Code::kIo);
  EXPECT_EQ(s.message().rfind("libc.so.6 has no shiori_no_such_function: ", 0), 0u) << s.message();
  EXPECT_EQ(none, nullptr) << "unchanged on failure";
  dlclose(*lib);
}

}  // namespace
}  // namespace shiori
