#include <gtest/gtest.h>

#include "sops/document.h"
#include "sops/redact.h"

namespace chaos {
namespace {

ordered_json parsed(const std::string& text) {
  auto doc = parse_secrets(text, "secrets.yml");
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().message);
  return doc.ok() ? doc->data : ordered_json();
}

TEST(SecretsDocument, DotPathsReachNestedValuesAndDotIsTheWhole) {
  auto data = parsed("app:\n  token: t0k3n\n  db: {user: u, port: 5432}\nplain: x\n");
  ASSERT_NE(lookup_dot_path(data, "app.db.port"), nullptr);
  EXPECT_EQ(*lookup_dot_path(data, "app.db.port"), 5432);
  EXPECT_EQ(lookup_dot_path(data, "app.nope"), nullptr);
  EXPECT_EQ(lookup_dot_path(data, "plain.deeper"), nullptr);
  EXPECT_EQ(lookup_dot_path(data, "."), &data);
}

TEST(SecretsDocument, KeyPathsInDocumentOrderAndEveryScalarValue) {
  auto data = parsed("b: {z: 1, a: two}\na: [x, y]\nempty: {}\n");
  EXPECT_EQ(secret_key_paths(data), (std::vector<std::string>{"b.z", "b.a", "a", "empty"}));
  EXPECT_EQ(secret_values(data), (std::vector<std::string>{"1", "two", "x", "y"}));
}

TEST(SecretsDocument, NotAMappingOrNotUtf8IsRefused) {
  EXPECT_FALSE(parse_secrets("- a\n- b\n", "s.yml").ok());
  // Found by secrets_document_fuzz: such bytes made the JSON escaping throw.
  auto binary = parse_secrets("app:  toke\xff\xff\"}\n", "s.yml");
  ASSERT_FALSE(binary.ok());
  EXPECT_NE(binary.error().message.find("UTF-8"), std::string::npos);
  // Found by secrets_document_fuzz: a float too large for a double made stod throw.
  auto huge = parse_secrets("key: 7e777\n", "s.yml");
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(huge->data["key"], "7e777");
  EXPECT_TRUE(parse_secrets("", "s.yml").ok());
}

TEST(Redactor, ValuesAndTheirEncodingsAreReplaced) {
  Redactor r;
  r.add("p@ss word/\"1\"");
  r.add("abc");  // too short to be told from ordinary text
  EXPECT_EQ(r.apply("pw=p@ss word/\"1\" end"), "pw=[redacted] end");
  EXPECT_EQ(r.apply(R"({"v":"p@ss word/\"1\""})"), R"({"v":"[redacted]"})");
  EXPECT_EQ(r.apply("cEBzcyB3b3JkLyIxIg=="), "[redacted]");
  EXPECT_EQ(r.apply("u=p%40ss%20word%2F%221%22"), "u=[redacted]");
  EXPECT_EQ(r.apply("abc stays"), "abc stays");
}

TEST(Redactor, BytesThatAreNotUtf8AreRedactedToo) {
  Redactor r;
  r.add("toke\xff\xff");
  EXPECT_EQ(r.apply("x toke\xff\xff y"), "x [redacted] y");
}

TEST(Redactor, EachLineOfAMultiLineValueAndTheLongerValueFirst) {
  Redactor r;
  r.add("secret");
  r.add("line-one-of-key\nline-two-of-key");
  r.add("secret-longer");
  EXPECT_EQ(r.apply("x line-two-of-key y"), "x [redacted] y");
  EXPECT_EQ(r.apply("secret-longer and secret"), "[redacted] and [redacted]");
}

}  // namespace
}  // namespace chaos
