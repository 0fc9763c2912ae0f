// Control: compiled with the pipeline target's include paths, this must build.
#include "frame/pipeline_api.h"
#include "frame/radar_frame.h"

int BoundaryControl() { return static_cast<int>(nightsim::RadarLevel::kRange); }
