#include "physics/body_model.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <numbers>

namespace nightsim::physics {
namespace {

using Eigen::Vector3d;
constexpr double kPi = std::numbers::pi;

// One scatterer of a template body: offsets along the body axes (superior s,
// anterior a, left l) in metres for the reference size, outward normal in the same
// axes, RCS, aspect floor and displacement coefficients.
struct PartDef {
  const char* name;
  double ds, da, dl;
  double ns, na, nl;
  double rcs_dbsm;
  double floor;
  double c_chest, c_abdomen, c_heart, c_limb;
};

// Reference adult: 1.70 m, 70 kg. The torso centre is mid-torso.
constexpr PartDef kPerson[kPersonParts] = {
    {"chest", 0.10, 0.11, 0.0, 0, 1, 0, -10.0, 0.05, 1.0, 0.0, 1.0, 0.0},
    {"chest_left", 0.10, 0.0, 0.16, 0, 0, 1, -16.0, 0.05, 0.4, 0.0, 0.0, 0.0},
    {"chest_right", 0.10, 0.0, -0.16, 0, 0, -1, -16.0, 0.05, 0.4, 0.0, 0.0, 0.0},
    {"back_upper", 0.10, -0.10, 0.0, 0, -1, 0, -12.0, 0.05, 0.05, 0.0, 0.0, 0.0},
    {"abdomen", -0.15, 0.10, 0.0, 0, 1, 0, -12.0, 0.05, 0.0, 1.0, 0.0, 0.0},
    {"flank_left", -0.15, 0.0, 0.14, 0, 0, 1, -18.0, 0.05, 0.0, 0.3, 0.0, 0.0},
    {"flank_right", -0.15, 0.0, -0.14, 0, 0, -1, -18.0, 0.05, 0.0, 0.3, 0.0, 0.0},
    {"back_lower", -0.15, -0.09, 0.0, 0, -1, 0, -14.0, 0.05, 0.0, 0.03, 0.0, 0.0},
    {"head", 0.42, 0.02, 0.0, 0, 1, 0, -15.0, 0.3, 0.0, 0.0, 0.0, 0.0},
    {"shoulder_left", 0.24, 0.0, 0.20, 0, 0.45, 0.89, -18.0, 0.2, 0.0, 0.0, 0.0, 0.0},
    {"shoulder_right", 0.24, 0.0, -0.20, 0, 0.45, -0.89, -18.0, 0.2, 0.0, 0.0, 0.0, 0.0},
    {"arm_left", -0.05, 0.03, 0.27, 0, 0.71, 0.71, -18.0, 0.2, 0.0, 0.0, 0.0, 1.0},
    {"arm_right", -0.05, 0.03, -0.27, 0, 0.71, -0.71, -18.0, 0.2, 0.0, 0.0, 0.0, 1.0},
    {"leg_left", -0.70, 0.06, 0.10, 0, 1, 0, -14.0, 0.2, 0.0, 0.0, 0.0, 1.0},
    {"leg_right", -0.70, 0.06, -0.10, 0, 1, 0, -14.0, 0.2, 0.0, 0.0, 0.0, 1.0},
};
constexpr int kLegLeft = 13;
constexpr int kLegRight = 14;

// Reference cat: 0.45 m long, 4.5 kg, lying; anterior = up (dorsal surface).
constexpr PartDef kPet[kPetParts] = {
    {"back", 0.0, 0.07, 0.0, 0, 1, 0, -18.0, 0.1, 1.0, 0.0, 1.0, 0.0},
    {"flank_left", 0.0, 0.0, 0.07, 0, 0.3, 0.95, -22.0, 0.1, 0.6, 0.0, 0.0, 0.0},
    {"flank_right", 0.0, 0.0, -0.07, 0, 0.3, -0.95, -22.0, 0.1, 0.6, 0.0, 0.0, 0.0},
    {"head", 0.20, 0.04, 0.0, 0.5, 0.87, 0, -25.0, 0.3, 0.0, 0.0, 0.0, 0.0},
};

// Body axes in the room frame.
struct Axes {
  Vector3d s, a, l;
};

bool IsLying(Posture p) {
  return p == Posture::kBack || p == Posture::kLeftSide || p == Posture::kRightSide || p == Posture::kFront;
}

double RollRad(Posture p) {
  switch (p) {
    case Posture::kLeftSide: return 0.5 * kPi;
    case Posture::kFront: return kPi;
    case Posture::kRightSide: return -0.5 * kPi;
    default: return 0.0;
  }
}

Vector3d Horizontal(double heading_rad) { return Vector3d(std::cos(heading_rad), std::sin(heading_rad), 0.0); }

// Lying with roll ψ about the body axis h: a = cos ψ z + sin ψ (h × z); left = s × a.
Axes LyingAxes(double heading_rad, double roll_rad) {
  Axes ax;
  ax.s = Horizontal(heading_rad);
  const Vector3d side = ax.s.cross(Vector3d::UnitZ());
  ax.a = std::cos(roll_rad) * Vector3d::UnitZ() + std::sin(roll_rad) * side;
  ax.l = ax.s.cross(ax.a);
  return ax;
}

Axes UprightAxes(double heading_rad, Posture p) {
  const Vector3d f = Horizontal(heading_rad);
  Axes ax;
  if (p == Posture::kSitting) {
    const double lean = 20.0 * kPi / 180.0;  // leaning back against the headboard
    ax.s = std::cos(lean) * Vector3d::UnitZ() - std::sin(lean) * f;
    ax.a = std::cos(lean) * f + std::sin(lean) * Vector3d::UnitZ();
  } else {
    ax.s = Vector3d::UnitZ();
    ax.a = f;
  }
  ax.l = ax.s.cross(ax.a);
  return ax;
}

struct Placed {
  Vector3d rest;
  Vector3d normal;
};

// Places the template parts for a given posture (without displacement).
void Place(const BodySpec& spec, const BodyState& st, Posture posture, const Axes& ax,
           std::array<Placed, kMaxBodyParts>* out) {
  const bool person = spec.kind == BodyKind::kPerson;
  const PartDef* defs = person ? kPerson : kPet;
  const int n = person ? kPersonParts : kPetParts;
  const double ref = person ? 1.70 : (spec.kind == BodyKind::kCat ? 0.45 : 0.80);
  const double k = std::clamp(spec.height_m / ref, 0.3, 3.0);
  for (int i = 0; i < n; ++i) {
    const PartDef& d = defs[i];
    (*out)[i].rest = st.torso_m + k * (d.ds * ax.s + d.da * ax.a + d.dl * ax.l);
    (*out)[i].normal = (d.ns * ax.s + d.na * ax.a + d.nl * ax.l).normalized();
  }
  if (!person) return;
  const Vector3d f = Horizontal(st.heading_rad);
  if (posture == Posture::kSitting) {  // legs stretched out on the bed, thighs facing up
    const Vector3d hip = st.torso_m - 0.28 * k * ax.s;
    for (int i : {kLegLeft, kLegRight}) {
      const double side = i == kLegLeft ? 1.0 : -1.0;
      (*out)[i].rest = hip + 0.45 * k * f - 0.05 * Vector3d::UnitZ() + side * 0.10 * k * ax.l;
      (*out)[i].normal = Vector3d::UnitZ();
    }
  } else if (posture == Posture::kStanding) {
    for (int i : {kLegLeft, kLegRight}) {
      const double side = i == kLegLeft ? 1.0 : -1.0;
      (*out)[i].rest = st.torso_m - 0.60 * k * Vector3d::UnitZ() + 0.05 * f + side * 0.10 * k * ax.l;
      (*out)[i].normal = f;
    }
  }
}

void PlaceFor(const BodySpec& spec, const BodyState& st, Posture posture, std::array<Placed, kMaxBodyParts>* out) {
  if (spec.kind != BodyKind::kPerson) {
    Axes ax;
    ax.s = Horizontal(st.heading_rad);
    ax.a = Vector3d::UnitZ();
    ax.l = ax.s.cross(ax.a);
    Place(spec, st, posture, ax, out);
    return;
  }
  const Axes ax = IsLying(posture) ? LyingAxes(st.heading_rad, RollRad(posture)) : UprightAxes(st.heading_rad, posture);
  Place(spec, st, posture, ax, out);
}

// Closest distance between segments [p0, p1] and [q0, q1] (Ericson, Real-Time Collision Detection, 5.1.9).
double SegmentDistance(const Vector3d& p0, const Vector3d& p1, const Vector3d& q0, const Vector3d& q1) {
  const Vector3d d1 = p1 - p0;
  const Vector3d d2 = q1 - q0;
  const Vector3d r = p0 - q0;
  const double a = d1.squaredNorm();
  const double e = d2.squaredNorm();
  const double f = d2.dot(r);
  double s = 0.0;
  double t = 0.0;
  if (a <= 1e-12 && e <= 1e-12) return r.norm();
  if (a <= 1e-12) {
    t = std::clamp(f / e, 0.0, 1.0);
  } else {
    const double c = d1.dot(r);
    if (e <= 1e-12) {
      s = std::clamp(-c / a, 0.0, 1.0);
    } else {
      const double b = d1.dot(d2);
      const double denom = a * e - b * b;
      s = denom > 1e-12 ? std::clamp((b * f - c * e) / denom, 0.0, 1.0) : 0.0;
      t = (b * s + f) / e;
      if (t < 0.0) {
        t = 0.0;
        s = std::clamp(-c / a, 0.0, 1.0);
      } else if (t > 1.0) {
        t = 1.0;
        s = std::clamp((b - c) / a, 0.0, 1.0);
      }
    }
  }
  return ((p0 + s * d1) - (q0 + t * d2)).norm();
}

}  // namespace

const char* PartName(BodyKind kind, int index) {
  if (kind == BodyKind::kPerson) return index >= 0 && index < kPersonParts ? kPerson[index].name : "";
  return index >= 0 && index < kPetParts ? kPet[index].name : "";
}

DisplacementWeights PartDisplacementWeights(BodyKind kind, int index) {
  const bool person = kind == BodyKind::kPerson;
  if (index < 0 || index >= (person ? kPersonParts : kPetParts)) return {};
  const PartDef& d = (person ? kPerson : kPet)[index];
  return {d.c_chest, d.c_abdomen, d.c_heart, d.c_limb};
}

BodyParts BuildBodyParts(const BodySpec& spec, const BodyState& st) {
  const bool person = spec.kind == BodyKind::kPerson;
  const PartDef* defs = person ? kPerson : kPet;
  BodyParts out;
  out.count = person ? kPersonParts : kPetParts;

  std::array<Placed, kMaxBodyParts> placed;
  const double t = std::clamp(st.transition, 0.0, 1.0);
  if (!person || t >= 1.0 || st.from_posture == st.posture) {
    PlaceFor(spec, st, st.posture, &placed);
  } else if (IsLying(st.from_posture) && IsLying(st.posture)) {
    // Turn over: roll about the body axis by the shorter way (back ↔ front via the left side).
    const double from = RollRad(st.from_posture);
    double delta = RollRad(st.posture) - from;
    while (delta > kPi + 1e-9) delta -= 2.0 * kPi;
    while (delta <= -kPi + 1e-9) delta += 2.0 * kPi;
    Place(spec, st, st.posture, LyingAxes(st.heading_rad, from + t * delta), &placed);
  } else {
    std::array<Placed, kMaxBodyParts> a;
    std::array<Placed, kMaxBodyParts> b;
    PlaceFor(spec, st, st.from_posture, &a);
    PlaceFor(spec, st, st.posture, &b);
    for (int i = 0; i < out.count; ++i) {
      placed[i].rest = (1.0 - t) * a[i].rest + t * b[i].rest;
      const Vector3d n = (1.0 - t) * a[i].normal + t * b[i].normal;
      placed[i].normal = n.norm() > 1e-6 ? n.normalized() : b[i].normal;
    }
  }

  const double ref_mass = person ? 70.0 : (spec.kind == BodyKind::kCat ? 4.5 : 20.0);
  const double dog_db = spec.kind == BodyKind::kDog ? 6.0 : 0.0;
  const double mass_scale = std::pow(std::max(spec.mass_kg, 0.5) / ref_mass, 2.0 / 3.0);  // σ ∝ area ∝ m^(2/3)
  for (int i = 0; i < out.count; ++i) {
    const PartDef& d = defs[i];
    BodyPart& p = out.part[i];
    p.rest_m = placed[i].rest;
    p.normal = placed[i].normal;
    p.rcs_m2 = std::pow(10.0, (d.rcs_dbsm + dog_db) / 10.0) * mass_scale;
    p.aspect_floor = d.floor;
    p.displacement_m = DisplacementWeights{d.c_chest, d.c_abdomen, d.c_heart, d.c_limb}.Of(st);
    p.breathing = d.c_chest != 0.0 || d.c_abdomen != 0.0 || d.c_heart != 0.0;
    p.pressed = person && st.in_bed && p.normal.z() < -0.7;
  }
  return out;
}

Capsule BodyCapsule(const BodySpec& spec, const BodyState& st) {
  Capsule c;
  if (spec.kind != BodyKind::kPerson) return c;
  const double k = std::clamp(spec.height_m / 1.70, 0.3, 3.0);
  if (st.posture == Posture::kStanding) {
    c.a_m = st.torso_m - 0.75 * k * Vector3d::UnitZ();
    c.b_m = st.torso_m + 0.45 * k * Vector3d::UnitZ();
    c.radius_m = 0.16 * k;
    return c;
  }
  const Vector3d s = st.posture == Posture::kSitting ? UprightAxes(st.heading_rad, st.posture).s
                                                     : Horizontal(st.heading_rad);
  c.a_m = st.torso_m - 0.30 * k * s;
  c.b_m = st.torso_m + 0.30 * k * s;
  c.radius_m = 0.13 * k;
  return c;
}

double LegTransmission(const Vector3d& from, const Vector3d& to, const Capsule& c) {
  if (c.radius_m <= 0.0) return 1.0;
  const double d = SegmentDistance(from, to, c.a_m, c.b_m);
  if (d >= c.radius_m) return 1.0;
  const double inner = 0.5 * c.radius_m;
  if (d <= inner) return kBlockedLegTransmission;
  return kBlockedLegTransmission + (1.0 - kBlockedLegTransmission) * (d - inner) / (c.radius_m - inner);
}

}  // namespace nightsim::physics
