// Must NOT compile with the pipeline target's include paths (docs/design.md §2.2).
#include "core/rng.h"

int BoundaryProbe() { return 0; }
