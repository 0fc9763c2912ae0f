// Tests the body scatterer model: posture geometry in room terms, mattress contact,
// turn-over interpolation, breathing displacement along normals, and occlusion.

#include "physics/body_model.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nightsim::physics {
namespace {

BodyState Lying(Posture p) {
  BodyState s;
  s.in_room = true;
  s.in_bed = true;
  s.posture = p;
  s.from_posture = p;
  s.heading_rad = -M_PI / 2;  // head towards −y
  s.torso_m = Eigen::Vector3d(1.6, 0.8, 0.66);
  return s;
}

TEST(BodyModel, APersonHasAFixedSetOfScatterers) {
  BodySpec person;
  BodySpec cat;
  cat.kind = BodyKind::kCat;
  EXPECT_EQ(BuildBodyParts(person, Lying(Posture::kBack)).count, kPersonParts);
  EXPECT_EQ(BuildBodyParts(person, Lying(Posture::kSitting)).count, kPersonParts);
  EXPECT_EQ(BuildBodyParts(cat, Lying(Posture::kBack)).count, kPetParts);
  EXPECT_STREQ(PartName(BodyKind::kPerson, 0), "chest");
}

TEST(BodyModel, PostureOrientsTheChestInRoomTerms) {
  const BodySpec person;
  // Head towards −y: on the back the chest faces up; on the left side (left shoulder
  // down) it faces −x; on the right side +x; on the front the chest is in the mattress.
  EXPECT_NEAR(BuildBodyParts(person, Lying(Posture::kBack)).part[0].normal.z(), 1.0, 1e-9);
  EXPECT_NEAR(BuildBodyParts(person, Lying(Posture::kLeftSide)).part[0].normal.x(), -1.0, 1e-9);
  EXPECT_NEAR(BuildBodyParts(person, Lying(Posture::kRightSide)).part[0].normal.x(), 1.0, 1e-9);
  const BodyParts front = BuildBodyParts(person, Lying(Posture::kFront));
  EXPECT_TRUE(front.part[0].pressed);
  EXPECT_FALSE(front.part[3].pressed);  // the upper back faces up
  const BodyParts back = BuildBodyParts(person, Lying(Posture::kBack));
  EXPECT_TRUE(back.part[3].pressed);
  EXPECT_FALSE(back.part[0].pressed);
  // The head is towards the heading.
  EXPECT_LT(back.part[8].rest_m.y(), back.part[0].rest_m.y());
}

TEST(BodyModel, ATurnOverRollsTheChestContinuously) {
  const BodySpec person;
  BodyState s = Lying(Posture::kLeftSide);
  s.from_posture = Posture::kBack;
  s.transition = 0.5;
  const Eigen::Vector3d n = BuildBodyParts(person, s).part[0].normal;
  EXPECT_NEAR(n.z(), std::sqrt(0.5), 1e-9);
  EXPECT_NEAR(n.x(), -std::sqrt(0.5), 1e-9);
  s.transition = 0.0;
  EXPECT_NEAR(BuildBodyParts(person, s).part[0].normal.z(), 1.0, 1e-9);
}

TEST(BodyModel, PartsMoveAlongTheirNormalsWithBreathingAndHeart) {
  const BodySpec person;
  BodyState s = Lying(Posture::kBack);
  s.chest_m = 5e-3;
  s.abdomen_m = 3e-3;
  s.heart_m = 0.3e-3;
  const BodyParts p = BuildBodyParts(person, s);
  EXPECT_NEAR(p.part[0].displacement_m, 5.3e-3, 1e-12);  // chest front: breathing + heart
  EXPECT_NEAR(p.part[4].displacement_m, 3e-3, 1e-12);    // abdomen
  EXPECT_NEAR(p.part[1].displacement_m, 2e-3, 1e-12);    // flank of the chest: 0.4
  EXPECT_NEAR((p.part[0].Position() - p.part[0].rest_m).z(), 5.3e-3, 1e-12);
  EXPECT_TRUE(p.part[0].breathing);
  EXPECT_FALSE(p.part[8].breathing);  // the head rests
}

TEST(BodyModel, ABodyBlocksTheLineOfSightThroughItsTorso) {
  const BodySpec person;
  const Capsule c = BodyCapsule(person, Lying(Posture::kBack));
  const Eigen::Vector3d radar(0.6, 0.8, 0.66);
  EXPECT_DOUBLE_EQ(LegTransmission(radar, Eigen::Vector3d(2.4, 0.8, 0.66), c), kBlockedLegTransmission);
  EXPECT_DOUBLE_EQ(LegTransmission(radar, Eigen::Vector3d(2.4, 0.8, 1.5), c), 1.0);
  BodySpec cat;
  cat.kind = BodyKind::kCat;
  EXPECT_DOUBLE_EQ(LegTransmission(radar, Eigen::Vector3d(2.4, 0.8, 0.66), BodyCapsule(cat, Lying(Posture::kBack))), 1.0);
}

}  // namespace
}  // namespace nightsim::physics
