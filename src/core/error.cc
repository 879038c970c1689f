#include "core/error.h"

namespace onechild {

Error& Error::at(std::string file, int64_t line, std::string field) {
  file_ = std::move(file);
  line_ = line;
  if (!field.empty()) field_ = std::move(field);
  return *this;
}

Error& Error::in_field(std::string field) {
  field_ = std::move(field);
  return *this;
}

bool Error::is_user_error() const {
  return code_ == Code::kInvalidArgument || code_ == Code::kNotFound || code_ == Code::kIoError ||
         code_ == Code::kUnauthenticated;
}

std::string Error::to_string() const {
  std::string out;
  if (!file_.empty()) {
    out += file_;
    if (line_ > 0) {
      out += ':';
      out += std::to_string(line_);
    }
    out += ": ";
  }
  if (!field_.empty()) out += field_ + ": ";
  out += message_;
  return out;
}

}  // namespace onechild
