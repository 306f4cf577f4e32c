#include "clients/random_stream.h"

#include <algorithm>
#include <cmath>

namespace hilcap::sim {

TimeNs RandomStream::draw(const DurationSpec& spec) {
  switch (spec.kind) {
    case DurationSpec::Kind::kFixed:
      return spec.fixed_ns;
    case DurationSpec::Kind::kUniform: {
      const auto span = static_cast<double>(spec.max_ns - spec.min_ns) + 1.0;
      const auto offset = static_cast<TimeNs>(uniform01() * span);
      return std::min(spec.max_ns, spec.min_ns + offset);
    }
    case DurationSpec::Kind::kNormal: {
      double sum = 0;
      for (int i = 0; i < 12; ++i)
        sum += uniform01();
      const double z = std::clamp(sum - 6.0, -3.0, 3.0);
      const double value =
          static_cast<double>(spec.mean_ns) + z * static_cast<double>(spec.sigma_ns);
      return std::max<TimeNs>(0, std::llround(value));
    }
    case DurationSpec::Kind::kExponential: {
      const double value = -static_cast<double>(spec.mean_ns) * std::log1p(-uniform01());
      return std::max<TimeNs>(0, std::llround(value));
    }
  }
  return 0;
}

}  // namespace hilcap::sim
