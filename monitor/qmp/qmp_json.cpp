#include "monitor/qmp/qmp_json.h"

#include <set>
#include <vector>

namespace mimic::qmp {

namespace {

void write(const Json& j, std::string& out) {
  switch (j.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        out += Json(it.key()).dump(-1, ' ', true, Json::error_handler_t::replace);
        out += ": ";
        write(it.value(), out);
      }
      out += '}';
      break;
    }
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const Json& v : j) {
        if (!first) out += ", ";
        first = false;
        write(v, out);
      }
      out += ']';
      break;
    }
    default:
      out += j.dump(-1, ' ', true, Json::error_handler_t::replace);
      break;
  }
}

// nlohmann's DOM builder, plus what QEMU's parser refuses and nlohmann
// accepts: a key twice in one object.
class StrictSax : public nlohmann::detail::json_sax_dom_parser<Json> {
 public:
  using Base = nlohmann::detail::json_sax_dom_parser<Json>;
  explicit StrictSax(Json& root) : Base(root, false) {}

  bool start_object(std::size_t n) {
    keys_.emplace_back();
    return Base::start_object(n);
  }
  bool end_object() {
    keys_.pop_back();
    return Base::end_object();
  }
  bool key(std::string& k) {
    if (!keys_.back().insert(k).second) {
      error_ = "duplicate key";
      return false;
    }
    return Base::key(k);
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    error_ = describe(ex.what());
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  // "[json.exception.parse_error.101] parse error at line 1, column 9:
  // syntax error while parsing value - ..." -> "syntax error while ...".
  static std::string describe(const std::string& what) {
    size_t at = what.find("syntax error");
    if (at == std::string::npos) at = what.find(": ");
    if (at == std::string::npos) return what;
    return what.substr(what[at] == ':' ? at + 2 : at);
  }

  std::vector<std::set<std::string>> keys_;
  std::string error_;
};

}  // namespace

std::string toWire(const Json& message) {
  std::string out;
  write(message, out);
  out += "\r\n";
  return out;
}

Json errorReply(const QmpError& e, const Json* id) {
  Json reply = Json::object();
  if (id) reply["id"] = *id;
  reply["error"] = Json{{"class", e.cls}, {"desc", e.desc}};
  return reply;
}

Json returnReply(const Json& value, const Json* id) {
  Json reply = Json::object();
  reply["return"] = value;
  if (id) reply["id"] = *id;
  return reply;
}

bool parseJson(std::string_view text, Json& out, std::string& err) {
  Json root;
  StrictSax sax(root);
  bool ok = Json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json, true);
  if (!ok || !sax.error().empty()) {
    err = "JSON parse error, " + (sax.error().empty() ? std::string("invalid input") : sax.error());
    return false;
  }
  out = std::move(root);
  return true;
}

}  // namespace mimic::qmp
