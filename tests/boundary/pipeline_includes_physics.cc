// Must NOT compile with the pipeline target's include paths (DESIGN.md §2).
#include "physics/radar_config.h"

int BoundaryProbe() { return 0; }
