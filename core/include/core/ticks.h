#pragma once
/// \file
/// Simulation time. Time is an integer tick (1 ms), never an accumulated double.

#include <cmath>
#include <cstdint>

namespace nightsim {

/// Simulation time in milliseconds since the start of the night.
using Tick = std::int64_t;

/// Ticks in one second.
inline constexpr Tick kTicksPerSecond = 1000;

/// Seconds to ticks, rounded to the nearest tick.
inline Tick SecondsToTicks(double seconds) { return static_cast<Tick>(std::llround(seconds * kTicksPerSecond)); }
/// Minutes to ticks, rounded to the nearest tick.
inline Tick MinutesToTicks(double minutes) { return SecondsToTicks(minutes * 60.0); }
/// Ticks to seconds.
inline constexpr double TicksToSeconds(Tick t) { return static_cast<double>(t) / kTicksPerSecond; }

}  // namespace nightsim
