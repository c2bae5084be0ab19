// What the Landscapes view shows, as one value: the race (surface, start point, racers and
// their settings) and the playback position. Sessions save it (landscape_state_json.h).
#pragma once

#include "core/landscapes/landscape_race.h"

namespace gradscope::app {

struct LandscapeState {
  core::RaceSettings race;
  int cursor = 0;        // the step on screen, 0 .. race.steps
  double speed = 100.0;  // playback, in steps per second
  bool operator==(const LandscapeState&) const = default;
};

}  // namespace gradscope::app
