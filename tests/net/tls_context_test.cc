// TlsContextSource: loading, refusing bad files at start, and reloading
// replaced certificates while keeping the last good one. Certificates are
// made by the openssl CLI in a fresh folder.
#include "net/tls_context.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace otelhouse {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tls_context_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    selfSigned("a");
    selfSigned("b");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void selfSigned(const std::string& name) {
    std::string cmd = "cd " + dir_ + " && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=" +
                      name + " -keyout " + name + ".key -out " + name + ".pem >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  void install(const std::string& name) {
    // File times tick with the kernel's clock (a few ms): space the writes so
    // each replacement is seen as one.
    std::this_thread::sleep_for(20ms);
    fs::copy_file(path(name + ".key"), path("live.key"), fs::copy_options::overwrite_existing);
    fs::copy_file(path(name + ".pem"), path("live.pem"), fs::copy_options::overwrite_existing);
  }
  TlsServerSettings live() const {
    TlsServerSettings s;
    s.cert_file = path("live.pem");
    s.key_file = path("live.key");
    return s;
  }

  std::string dir_;
};

TEST_F(TlsContextTest, LoadsAndRefusesBadFilesAtStart) {
  install("a");
  EXPECT_TRUE(TlsContextSource::create(live()).isOk());

  TlsServerSettings missing = live();
  missing.cert_file = path("nope.pem");
  auto r = TlsContextSource::create(missing);
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("nope.pem"), std::string::npos) << r.status().message();

  TlsServerSettings mismatched = live();
  mismatched.key_file = path("b.key");
  r = TlsContextSource::create(mismatched);
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("mismatch"), std::string::npos) << r.status().message();

  TlsServerSettings old = live();
  old.min_version = "1.1";
  EXPECT_FALSE(TlsContextSource::create(old).isOk());

  TlsServerSettings bad_ca = live();
  bad_ca.client_ca_file = path("missing-ca.pem");
  EXPECT_FALSE(TlsContextSource::create(bad_ca).isOk());
}

TEST_F(TlsContextTest, ReplacedFilesGiveANewContextAndBrokenOnesKeepTheOld) {
  install("a");
  auto created = TlsContextSource::create(live(), 0ms);
  ASSERT_TRUE(created.isOk());
  TlsContextSource& source = *created.value();
  auto first = source.current();
  EXPECT_EQ(source.current(), first) << "unchanged files: the same context";

  install("b");
  auto second = source.current();
  EXPECT_NE(second, first);
  EXPECT_EQ(source.reloads(), 1u);

  std::this_thread::sleep_for(20ms);
  std::ofstream(path("live.pem"), std::ios::trunc) << "-----BEGIN CERTIFICATE-----\nbroken\n";
  EXPECT_EQ(source.current(), second) << "a broken certificate keeps the previous context";
  EXPECT_EQ(source.reloadFailures(), 1u);
  EXPECT_EQ(source.current(), second);
  EXPECT_EQ(source.reloadFailures(), 1u) << "the same broken file is tried once";

  install("a");
  EXPECT_NE(source.current(), second);
  EXPECT_EQ(source.reloads(), 2u);
}

}  // namespace
}  // namespace otelhouse
