// A number as error messages quote it: six significant digits and a decimal point whatever the
// user's locale, so a message reads the same on every machine.
#pragma once

#include <locale>
#include <sstream>
#include <string>

namespace gradscope::core {

inline std::string formatNumber(double value) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out << value;
  return out.str();
}

}  // namespace gradscope::core
