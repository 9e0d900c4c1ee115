;; The inner loop of the aggregation pass, in WebAssembly SIMD (see pass-kernel.ts for how it is
;; driven, scripts/build-pass-kernel.mjs for how it becomes pass-kernel-bytes.ts).
;;
;; Both functions take `pixels` spectra of `C` channels, pixel-major, starting at byte `src`, and
;;  - add every spectrum into the sum spectrum at `sum` and raise the max spectrum at `max`;
;;  - write, per pixel, the running sum of its spectrum at every window edge: E values starting at
;;    `cum` + p·E·(value size), value e = Σ channels [0, edges[e]) (value 0 is 0). The caller turns
;;    these into the total-counts map (value E − 1) and every ROI map (value hi − value lo).
;; `edges` (E i32 values) is the channel axis cut at every window edge, strictly increasing, from 0
;; to C. A segment's whole vectors go through the SIMD loop, its last few channels one at a time, so
;; segments need no alignment.
;;
;; acc_u16: unsigned 16-bit counts (most MA-XRF RAW files) summed as exact integers: running sums as
;;   u32 (C ≤ 65536 keeps a pixel's total below 2^32), the sum spectrum as u32 (the caller passes at
;;   most 65536 pixels between flushes), the max spectrum as u16.
;; acc_u16_lanes: the same, four pixels at a time (one load and store of the sum and max spectra
;;   per 4 samples); the last pixels % 4 through acc_u16.
;; acc_u32_lanes: unsigned 32-bit counts (RPL data-length 4 unsigned, .npy <u4), four pixels at a
;;   time in u32 lanes, returning the chunk's largest count M; exact when M · max(pixels, C) < 2^32,
;;   which the caller checks (real counts are far below that), redoing the chunk with acc_u32 if not.
;; acc_u32: the same counts summed as exact integers for any u32 value.
;;   No u32 lane can take even two samples without a bound on the values, so every sum is 64-bit:
;;   each vector of 4 samples is widened to two i64x2 (extend_low/high_u). Running sums are i64
;;   within a segment and across the pixel, written as float64 (exact: C ≤ 2^21 keeps a total below
;;   2^53, the caller checks C); the sum spectrum is i64 (the caller passes at most 4096 pixels between
;;   flushes into float64: 4096 · 2^32 = 2^44, far from overflow); the max spectrum is u32.
;; acc_f32: float32 samples (every other format, converted by its reader); running sums and the
;;   sum spectrum in float64, the max spectrum in float32 (pmax: keeps the old value unless the new
;;   one is greater, like the JavaScript reference). Exact for integers, and the precise path for
;;   non-integer data.
;; acc_f32_lanes: the same for float32 samples, but summed in float32 lanes, four pixels at a time:
;;   each load and store of the sum and max spectra serves 4 samples, where acc_f32 moves a 16-byte
;;   float64 load and store per 2 samples (measured: 3.6 against 2.1 G samples/s). float32
;;   sums are exact only for integers and only below 2^24, so the kernel also returns a verdict, and
;;   the caller keeps the chunk only when it is 0 (else it redoes the chunk with acc_f32):
;;     bit 1: a sample is not an integer (fractions, NaN: nearest(x) ≠ x), checked per sample;
;;     bit 2: a sample is negative (pmin of all samples < 0);
;;     bit 4: a per-pixel segment lane reached 2^24.
;;   Why "every lane < 2^24 at the end" proves exactness for non-negative integers: partial sums
;;   only grow; while the true partial sum stays ≤ 2^24 every float32 add is exact, and once it
;;   passes 2^24 the rounded sum is ≥ 2^24 (rounding is monotone, 2^24 is a float32) and never falls
;;   again. So a final lane below 2^24 was exact all along. The same argument holds for the chunk's
;;   sum spectrum (float32 lanes at `sum`), which the caller checks (< 2^24 per channel) before
;;   adding it into float64. A segment's 4 lanes are added in float64 (each < 2^24: exact).
;;   Tail samples (a segment's last < 4 channels) go through the same vector checks as lane 0 of
;;   an otherwise zero vector.
(module
  (import "env" "memory" (memory 1))

  (func $hsum_i32 (param $v v128) (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  (func $hsum_f64 (param $v v128) (result f64)
    (f64.add (f64x2.extract_lane 0 (local.get $v)) (f64x2.extract_lane 1 (local.get $v))))

;; The largest of the 4 u32 lanes of $v.
  (func $hmax_u32 (param $v v128) (result i32)
    (local $w v128)
    (local.set $w (i32x4.max_u (local.get $v) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
    (local.set $w (i32x4.max_u (local.get $w) (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $w) (local.get $w))))
    (i32x4.extract_lane 0 (local.get $w)))

  ;; The 4 float32 lanes of $v added in float64.
  (func $hsum_f32_as_f64 (param $v v128) (result f64)
    (call $hsum_f64 (f64x2.add (f64x2.promote_low_f32x4 (local.get $v))
      (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))

  (func $acc_u16 (export "acc_u16")
    (param $src i32) (param $pixels i32) (param $C i32) (param $edges i32) (param $E i32)
    (param $cum i32) (param $sum i32) (param $max i32)
    (local $p i32) (local $row i32) (local $e i32) (local $ch i32) (local $end i32)
    (local $s i32) (local $x i32) (local $a i32) (local $out i32)
    (local $v v128) (local $acc v128)
    (local.set $out (local.get $cum))
    (block $pixels_done
      (loop $pixel
        (br_if $pixels_done (i32.ge_u (local.get $p) (local.get $pixels)))
        (local.set $row (i32.add (local.get $src) (i32.shl (i32.mul (local.get $p) (local.get $C)) (i32.const 1))))
        (local.set $s (i32.const 0))
        (local.set $ch (i32.const 0))
        (i32.store (local.get $out) (i32.const 0))
        (local.set $e (i32.const 1))
        (block $segments_done
          (loop $segment
            (br_if $segments_done (i32.ge_u (local.get $e) (local.get $E)))
            (local.set $end (i32.load (i32.add (local.get $edges) (i32.shl (local.get $e) (i32.const 2)))))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (block $vectors_done
              (loop $vector
                (br_if $vectors_done (i32.gt_u (i32.add (local.get $ch) (i32.const 8)) (local.get $end)))
                (local.set $v (v128.load align=2 (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 1)))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 1))))
                (v128.store align=2 (local.get $a) (i16x8.max_u (v128.load align=2 (local.get $a)) (local.get $v)))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 2))))
                (v128.store align=4 (local.get $a)
                  (i32x4.add (v128.load align=4 (local.get $a)) (i32x4.extend_low_i16x8_u (local.get $v))))
                (v128.store offset=16 align=4 (local.get $a)
                  (i32x4.add (v128.load offset=16 align=4 (local.get $a)) (i32x4.extend_high_i16x8_u (local.get $v))))
                (local.set $acc (i32x4.add (local.get $acc) (i32x4.extadd_pairwise_i16x8_u (local.get $v))))
                (local.set $ch (i32.add (local.get $ch) (i32.const 8)))
                (br $vector)))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $ch) (local.get $end)))
                (local.set $x (i32.load16_u (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 1)))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 1))))
                (if (i32.gt_u (local.get $x) (i32.load16_u (local.get $a)))
                  (then (i32.store16 (local.get $a) (local.get $x))))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 2))))
                (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (local.get $x)))
                (local.set $s (i32.add (local.get $s) (local.get $x)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                (br $tail)))
            (local.set $s (i32.add (local.get $s) (call $hsum_i32 (local.get $acc))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (i32.store (local.get $out) (local.get $s))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $segment)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pixel))))

  ;; acc_u16_lanes: the same sums as acc_u16 (the same u32 running sums at `cum`, the same u32 sum
  ;; spectrum and u16 max spectrum), four pixels at a time: each load and store of the sum and max
  ;; spectra serves 4 pixels' samples, where acc_u16 moves them once per pixel. Exact for any u16
  ;; counts under acc_u16's bounds (C ≤ 65536, at most 65536 pixels between flushes of the sum
  ;; spectrum): a channel's 4 samples add to < 2^18 before they reach its u32 lane. Each pixel's 8
  ;; samples are widened to u32 once (extend_low/high) and serve both its running sum and the
  ;; channel sums: measured kernel-alone, 1.59× acc_u16's speed, where widening separately for the
  ;; running sums (extadd_pairwise) gave 1.39× and pairing pixels by shuffles 1.29×. The last
  ;; pixels % 4 go one at a time through acc_u16.
  (func (export "acc_u16_lanes")
    (param $src i32) (param $pixels i32) (param $C i32) (param $edges i32) (param $E i32)
    (param $cum i32) (param $sum i32) (param $max i32)
    (local $p i32) (local $row i32) (local $rb i32) (local $e i32) (local $ch i32) (local $end i32)
    (local $a i32) (local $out i32) (local $ob i32) (local $quads i32) (local $m i32)
    (local $s0 i32) (local $x0 i32)
    (local $s1 i32) (local $x1 i32)
    (local $s2 i32) (local $x2 i32)
    (local $s3 i32) (local $x3 i32)
    (local $v0 v128) (local $acc0 v128)
    (local $v1 v128) (local $acc1 v128)
    (local $v2 v128) (local $acc2 v128)
    (local $v3 v128) (local $acc3 v128)
    (local $lo v128) (local $hi v128) (local $w v128)
    (local.set $rb (i32.shl (local.get $C) (i32.const 1)))
    (local.set $ob (i32.shl (local.get $E) (i32.const 2)))
    (local.set $quads (i32.and (local.get $pixels) (i32.const -4)))
    (block $pixels_done
      (loop $quad
        (br_if $pixels_done (i32.ge_u (local.get $p) (local.get $quads)))
        (local.set $row (i32.add (local.get $src) (i32.mul (local.get $p) (local.get $rb))))
        (local.set $out (i32.add (local.get $cum) (i32.mul (local.get $p) (local.get $ob))))
        (local.set $s0 (i32.const 0))
        (local.set $s1 (i32.const 0))
        (local.set $s2 (i32.const 0))
        (local.set $s3 (i32.const 0))
        (i32.store (i32.add (local.get $out) (i32.mul (i32.const 0) (local.get $ob))) (i32.const 0))
        (i32.store (i32.add (local.get $out) (i32.mul (i32.const 1) (local.get $ob))) (i32.const 0))
        (i32.store (i32.add (local.get $out) (i32.mul (i32.const 2) (local.get $ob))) (i32.const 0))
        (i32.store (i32.add (local.get $out) (i32.mul (i32.const 3) (local.get $ob))) (i32.const 0))
        (local.set $ch (i32.const 0))
        (local.set $e (i32.const 1))
        (block $segments_done
          (loop $segment
            (br_if $segments_done (i32.ge_u (local.get $e) (local.get $E)))
            (local.set $end (i32.load (i32.add (local.get $edges) (i32.shl (local.get $e) (i32.const 2)))))
            (local.set $acc0 (v128.const i32x4 0 0 0 0))
            (local.set $acc1 (v128.const i32x4 0 0 0 0))
            (local.set $acc2 (v128.const i32x4 0 0 0 0))
            (local.set $acc3 (v128.const i32x4 0 0 0 0))
            (block $vectors_done
              (loop $vector
                (br_if $vectors_done (i32.gt_u (i32.add (local.get $ch) (i32.const 8)) (local.get $end)))
                (local.set $a (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 1))))
                (local.set $v0 (v128.load align=2 (i32.add (local.get $a) (i32.mul (i32.const 0) (local.get $rb)))))
                (local.set $v1 (v128.load align=2 (i32.add (local.get $a) (i32.mul (i32.const 1) (local.get $rb)))))
                (local.set $v2 (v128.load align=2 (i32.add (local.get $a) (i32.mul (i32.const 2) (local.get $rb)))))
                (local.set $v3 (v128.load align=2 (i32.add (local.get $a) (i32.mul (i32.const 3) (local.get $rb)))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 1))))
                (v128.store align=2 (local.get $a) (i16x8.max_u (v128.load align=2 (local.get $a))
                  (i16x8.max_u (i16x8.max_u (local.get $v0) (local.get $v1)) (i16x8.max_u (local.get $v2) (local.get $v3)))))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 2))))
                ;; Each pixel's 8 samples widened once, into its running sum and the 4-pixel channel sums.
                (local.set $lo (i32x4.extend_low_i16x8_u (local.get $v0)))
                (local.set $hi (i32x4.extend_high_i16x8_u (local.get $v0)))
                (local.set $acc0 (i32x4.add (local.get $acc0) (i32x4.add (local.get $lo) (local.get $hi))))
                (local.set $w (i32x4.extend_low_i16x8_u (local.get $v1)))
                (local.set $lo (i32x4.add (local.get $lo) (local.get $w)))
                (local.set $acc1 (i32x4.add (local.get $acc1) (local.get $w)))
                (local.set $w (i32x4.extend_high_i16x8_u (local.get $v1)))
                (local.set $hi (i32x4.add (local.get $hi) (local.get $w)))
                (local.set $acc1 (i32x4.add (local.get $acc1) (local.get $w)))
                (local.set $w (i32x4.extend_low_i16x8_u (local.get $v2)))
                (local.set $lo (i32x4.add (local.get $lo) (local.get $w)))
                (local.set $acc2 (i32x4.add (local.get $acc2) (local.get $w)))
                (local.set $w (i32x4.extend_high_i16x8_u (local.get $v2)))
                (local.set $hi (i32x4.add (local.get $hi) (local.get $w)))
                (local.set $acc2 (i32x4.add (local.get $acc2) (local.get $w)))
                (local.set $w (i32x4.extend_low_i16x8_u (local.get $v3)))
                (local.set $lo (i32x4.add (local.get $lo) (local.get $w)))
                (local.set $acc3 (i32x4.add (local.get $acc3) (local.get $w)))
                (local.set $w (i32x4.extend_high_i16x8_u (local.get $v3)))
                (local.set $hi (i32x4.add (local.get $hi) (local.get $w)))
                (local.set $acc3 (i32x4.add (local.get $acc3) (local.get $w)))
                (v128.store align=4 (local.get $a) (i32x4.add (v128.load align=4 (local.get $a)) (local.get $lo)))
                (v128.store offset=16 align=4 (local.get $a) (i32x4.add (v128.load offset=16 align=4 (local.get $a)) (local.get $hi)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 8)))
                (br $vector)))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $ch) (local.get $end)))
                (local.set $a (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 1))))
                (local.set $x0 (i32.load16_u (i32.add (local.get $a) (i32.mul (i32.const 0) (local.get $rb)))))
                (local.set $x1 (i32.load16_u (i32.add (local.get $a) (i32.mul (i32.const 1) (local.get $rb)))))
                (local.set $x2 (i32.load16_u (i32.add (local.get $a) (i32.mul (i32.const 2) (local.get $rb)))))
                (local.set $x3 (i32.load16_u (i32.add (local.get $a) (i32.mul (i32.const 3) (local.get $rb)))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 1))))
                (local.set $m (i32.load16_u (local.get $a)))
                (if (i32.gt_u (local.get $x0) (local.get $m)) (then (local.set $m (local.get $x0))))
                (if (i32.gt_u (local.get $x1) (local.get $m)) (then (local.set $m (local.get $x1))))
                (if (i32.gt_u (local.get $x2) (local.get $m)) (then (local.set $m (local.get $x2))))
                (if (i32.gt_u (local.get $x3) (local.get $m)) (then (local.set $m (local.get $x3))))
                (i32.store16 (local.get $a) (local.get $m))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 2))))
                (i32.store (local.get $a) (i32.add (i32.load (local.get $a))
                  (i32.add (i32.add (local.get $x0) (local.get $x1)) (i32.add (local.get $x2) (local.get $x3)))))
                (local.set $s0 (i32.add (local.get $s0) (local.get $x0)))
                (local.set $s1 (i32.add (local.get $s1) (local.get $x1)))
                (local.set $s2 (i32.add (local.get $s2) (local.get $x2)))
                (local.set $s3 (i32.add (local.get $s3) (local.get $x3)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                (br $tail)))
            (local.set $s0 (i32.add (local.get $s0) (call $hsum_i32 (local.get $acc0))))
            (local.set $s1 (i32.add (local.get $s1) (call $hsum_i32 (local.get $acc1))))
            (local.set $s2 (i32.add (local.get $s2) (call $hsum_i32 (local.get $acc2))))
            (local.set $s3 (i32.add (local.get $s3) (call $hsum_i32 (local.get $acc3))))
            (local.set $a (i32.add (local.get $out) (i32.shl (local.get $e) (i32.const 2))))
            (i32.store (i32.add (local.get $a) (i32.mul (i32.const 0) (local.get $ob))) (local.get $s0))
            (i32.store (i32.add (local.get $a) (i32.mul (i32.const 1) (local.get $ob))) (local.get $s1))
            (i32.store (i32.add (local.get $a) (i32.mul (i32.const 2) (local.get $ob))) (local.get $s2))
            (i32.store (i32.add (local.get $a) (i32.mul (i32.const 3) (local.get $ob))) (local.get $s3))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $segment)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $quad)))
    (if (i32.lt_u (local.get $quads) (local.get $pixels))
      (then (call $acc_u16 (i32.add (local.get $src) (i32.mul (local.get $quads) (local.get $rb)))
        (i32.sub (local.get $pixels) (local.get $quads)) (local.get $C) (local.get $edges) (local.get $E)
        (i32.add (local.get $cum) (i32.mul (local.get $quads) (local.get $ob))) (local.get $sum) (local.get $max)))))

  (func (export "acc_f32")
    (param $src i32) (param $pixels i32) (param $C i32) (param $edges i32) (param $E i32)
    (param $cum i32) (param $sum i32) (param $max i32)
    (local $p i32) (local $row i32) (local $e i32) (local $ch i32) (local $end i32)
    (local $a i32) (local $out i32)
    (local $s f64) (local $x f64) (local $xf f32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $acc0 v128) (local $acc1 v128)
    (local.set $out (local.get $cum))
    (block $pixels_done
      (loop $pixel
        (br_if $pixels_done (i32.ge_u (local.get $p) (local.get $pixels)))
        (local.set $row (i32.add (local.get $src) (i32.shl (i32.mul (local.get $p) (local.get $C)) (i32.const 2))))
        (local.set $s (f64.const 0))
        (local.set $ch (i32.const 0))
        (f64.store (local.get $out) (f64.const 0))
        (local.set $e (i32.const 1))
        (block $segments_done
          (loop $segment
            (br_if $segments_done (i32.ge_u (local.get $e) (local.get $E)))
            (local.set $end (i32.load (i32.add (local.get $edges) (i32.shl (local.get $e) (i32.const 2)))))
            (local.set $acc0 (v128.const i32x4 0 0 0 0))
            (local.set $acc1 (v128.const i32x4 0 0 0 0))
            (block $vectors_done
              (loop $vector
                (br_if $vectors_done (i32.gt_u (i32.add (local.get $ch) (i32.const 4)) (local.get $end)))
                (local.set $v (v128.load align=4 (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 2)))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 2))))
                (v128.store align=4 (local.get $a) (f32x4.pmax (v128.load align=4 (local.get $a)) (local.get $v)))
                (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
                (local.set $hi (f64x2.promote_low_f32x4
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 3))))
                (v128.store align=8 (local.get $a) (f64x2.add (v128.load align=8 (local.get $a)) (local.get $lo)))
                (v128.store offset=16 align=8 (local.get $a)
                  (f64x2.add (v128.load offset=16 align=8 (local.get $a)) (local.get $hi)))
                (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $lo)))
                (local.set $acc1 (f64x2.add (local.get $acc1) (local.get $hi)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
                (br $vector)))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $ch) (local.get $end)))
                (local.set $xf (f32.load (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 2)))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 2))))
                (if (f32.gt (local.get $xf) (f32.load (local.get $a)))
                  (then (f32.store (local.get $a) (local.get $xf))))
                (local.set $x (f64.promote_f32 (local.get $xf)))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 3))))
                (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (local.get $x)))
                (local.set $s (f64.add (local.get $s) (local.get $x)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                (br $tail)))
            (local.set $s (f64.add (local.get $s) (call $hsum_f64 (f64x2.add (local.get $acc0) (local.get $acc1)))))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (f64.store (local.get $out) (local.get $s))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $segment)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pixel))))

  (func (export "acc_u32")
    (param $src i32) (param $pixels i32) (param $C i32) (param $edges i32) (param $E i32)
    (param $cum i32) (param $sum i32) (param $max i32)
    (local $p i32) (local $row i32) (local $e i32) (local $ch i32) (local $end i32)
    (local $a i32) (local $out i32) (local $xi i32)
    (local $s i64) (local $x i64)
    (local $v v128) (local $lo v128) (local $hi v128) (local $acc v128)
    (local.set $out (local.get $cum))
    (block $pixels_done
      (loop $pixel
        (br_if $pixels_done (i32.ge_u (local.get $p) (local.get $pixels)))
        (local.set $row (i32.add (local.get $src) (i32.shl (i32.mul (local.get $p) (local.get $C)) (i32.const 2))))
        (local.set $s (i64.const 0))
        (local.set $ch (i32.const 0))
        (f64.store (local.get $out) (f64.const 0))
        (local.set $e (i32.const 1))
        (block $segments_done
          (loop $segment
            (br_if $segments_done (i32.ge_u (local.get $e) (local.get $E)))
            (local.set $end (i32.load (i32.add (local.get $edges) (i32.shl (local.get $e) (i32.const 2)))))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (block $vectors_done
              (loop $vector
                (br_if $vectors_done (i32.gt_u (i32.add (local.get $ch) (i32.const 4)) (local.get $end)))
                (local.set $v (v128.load align=4 (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 2)))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 2))))
                (v128.store align=4 (local.get $a) (i32x4.max_u (v128.load align=4 (local.get $a)) (local.get $v)))
                (local.set $lo (i64x2.extend_low_i32x4_u (local.get $v)))
                (local.set $hi (i64x2.extend_high_i32x4_u (local.get $v)))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 3))))
                (v128.store align=8 (local.get $a) (i64x2.add (v128.load align=8 (local.get $a)) (local.get $lo)))
                (v128.store offset=16 align=8 (local.get $a)
                  (i64x2.add (v128.load offset=16 align=8 (local.get $a)) (local.get $hi)))
                (local.set $acc (i64x2.add (local.get $acc) (i64x2.add (local.get $lo) (local.get $hi))))
                (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
                (br $vector)))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $ch) (local.get $end)))
                (local.set $xi (i32.load (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 2)))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 2))))
                (if (i32.gt_u (local.get $xi) (i32.load (local.get $a)))
                  (then (i32.store (local.get $a) (local.get $xi))))
                (local.set $x (i64.extend_i32_u (local.get $xi)))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 3))))
                (i64.store (local.get $a) (i64.add (i64.load (local.get $a)) (local.get $x)))
                (local.set $s (i64.add (local.get $s) (local.get $x)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                (br $tail)))
            (local.set $s (i64.add (local.get $s)
              (i64.add (i64x2.extract_lane 0 (local.get $acc)) (i64x2.extract_lane 1 (local.get $acc)))))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (f64.store (local.get $out) (f64.convert_i64_u (local.get $s)))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $segment)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pixel))))

  (func $acc_f32_lanes1
    (param $src i32) (param $pixels i32) (param $C i32) (param $edges i32) (param $E i32)
    (param $cum i32) (param $sum i32) (param $max i32) (result i32)
    (local $p i32) (local $row i32) (local $e i32) (local $ch i32) (local $end i32)
    (local $a i32) (local $out i32) (local $verdict i32)
    (local $s f64) (local $xf f32)
    (local $v v128) (local $acc v128) (local $frac v128) (local $low v128) (local $top v128)
    (local.set $out (local.get $cum))
    (block $pixels_done
      (loop $pixel
        (br_if $pixels_done (i32.ge_u (local.get $p) (local.get $pixels)))
        (local.set $row (i32.add (local.get $src) (i32.shl (i32.mul (local.get $p) (local.get $C)) (i32.const 2))))
        (local.set $s (f64.const 0))
        (local.set $ch (i32.const 0))
        (f64.store (local.get $out) (f64.const 0))
        (local.set $e (i32.const 1))
        (block $segments_done
          (loop $segment
            (br_if $segments_done (i32.ge_u (local.get $e) (local.get $E)))
            (local.set $end (i32.load (i32.add (local.get $edges) (i32.shl (local.get $e) (i32.const 2)))))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (block $vectors_done
              (loop $vector
                (br_if $vectors_done (i32.gt_u (i32.add (local.get $ch) (i32.const 4)) (local.get $end)))
                (local.set $v (v128.load align=4 (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 2)))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 2))))
                (v128.store align=4 (local.get $a) (f32x4.pmax (v128.load align=4 (local.get $a)) (local.get $v)))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 2))))
                (v128.store align=4 (local.get $a) (f32x4.add (v128.load align=4 (local.get $a)) (local.get $v)))
                (local.set $acc (f32x4.add (local.get $acc) (local.get $v)))
                (local.set $frac (v128.or (local.get $frac) (f32x4.ne (f32x4.nearest (local.get $v)) (local.get $v))))
                (local.set $low (f32x4.pmin (local.get $low) (local.get $v)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
                (br $vector)))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $ch) (local.get $end)))
                (local.set $xf (f32.load (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 2)))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 2))))
                (if (f32.gt (local.get $xf) (f32.load (local.get $a)))
                  (then (f32.store (local.get $a) (local.get $xf))))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 2))))
                (f32.store (local.get $a) (f32.add (f32.load (local.get $a)) (local.get $xf)))
                (local.set $v (f32x4.replace_lane 0 (v128.const i32x4 0 0 0 0) (local.get $xf)))
                (local.set $acc (f32x4.add (local.get $acc) (local.get $v)))
                (local.set $frac (v128.or (local.get $frac) (f32x4.ne (f32x4.nearest (local.get $v)) (local.get $v))))
                (local.set $low (f32x4.pmin (local.get $low) (local.get $v)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                (br $tail)))
            (local.set $top (f32x4.pmax (local.get $top) (local.get $acc)))
            (local.set $s (f64.add (local.get $s) (call $hsum_f64 (f64x2.add
              (f64x2.promote_low_f32x4 (local.get $acc))
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc)))))))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (f64.store (local.get $out) (local.get $s))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $segment)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pixel)))
    (if (v128.any_true (local.get $frac)) (then (local.set $verdict (i32.const 1))))
    (if (v128.any_true (f32x4.lt (local.get $low) (v128.const f32x4 0 0 0 0)))
      (then (local.set $verdict (i32.or (local.get $verdict) (i32.const 2)))))
    (if (i32.eqz (i32x4.all_true (f32x4.lt (local.get $top) (v128.const f32x4 16777216 16777216 16777216 16777216))))
      (then (local.set $verdict (i32.or (local.get $verdict) (i32.const 4)))))
    (local.get $verdict))

  ;; Four pixels at a time: each load and store of the sum and max spectra serves 4 samples (one per
  ;; pixel). The pixels' sum is added as (v0 + v1) + (v2 + v3): for non-negative integers a float32
  ;; add tree, like a chain, rounds to at least min(true sum, 2^24) at every node, so a final lane
  ;; below 2^24 still proves every add exact. Tail channels go one channel of the 4 pixels at a time,
  ;; into $tacc (lane k: pixel k). The last pixels % 4 go through $acc_f32_lanes1.
  (func (export "acc_f32_lanes")
    (param $src i32) (param $pixels i32) (param $C i32) (param $edges i32) (param $E i32)
    (param $cum i32) (param $sum i32) (param $max i32) (result i32)
    (local $p i32) (local $row i32) (local $rb i32) (local $e i32) (local $ch i32) (local $end i32)
    (local $a i32) (local $out i32) (local $ob i32) (local $quads i32) (local $verdict i32)
    (local $s0 f64) (local $x0 f32)
    (local $s1 f64) (local $x1 f32)
    (local $s2 f64) (local $x2 f32)
    (local $s3 f64) (local $x3 f32)
    (local $m f32)
    (local $v0 v128) (local $acc0 v128)
    (local $v1 v128) (local $acc1 v128)
    (local $v2 v128) (local $acc2 v128)
    (local $v3 v128) (local $acc3 v128)
    (local $tacc v128) (local $t v128) (local $frac v128) (local $low v128) (local $top v128)
    (local.set $rb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $ob (i32.shl (local.get $E) (i32.const 3)))
    (local.set $quads (i32.and (local.get $pixels) (i32.const -4)))
    (block $pixels_done
      (loop $quad
        (br_if $pixels_done (i32.ge_u (local.get $p) (local.get $quads)))
        (local.set $row (i32.add (local.get $src) (i32.mul (local.get $p) (local.get $rb))))
        (local.set $out (i32.add (local.get $cum) (i32.mul (local.get $p) (local.get $ob))))
        (local.set $s0 (f64.const 0))
        (local.set $s1 (f64.const 0))
        (local.set $s2 (f64.const 0))
        (local.set $s3 (f64.const 0))
        (f64.store (i32.add (local.get $out) (i32.mul (i32.const 0) (local.get $ob))) (f64.const 0))
        (f64.store (i32.add (local.get $out) (i32.mul (i32.const 1) (local.get $ob))) (f64.const 0))
        (f64.store (i32.add (local.get $out) (i32.mul (i32.const 2) (local.get $ob))) (f64.const 0))
        (f64.store (i32.add (local.get $out) (i32.mul (i32.const 3) (local.get $ob))) (f64.const 0))
        (local.set $ch (i32.const 0))
        (local.set $e (i32.const 1))
        (block $segments_done
          (loop $segment
            (br_if $segments_done (i32.ge_u (local.get $e) (local.get $E)))
            (local.set $end (i32.load (i32.add (local.get $edges) (i32.shl (local.get $e) (i32.const 2)))))
            (local.set $acc0 (v128.const i32x4 0 0 0 0))
            (local.set $acc1 (v128.const i32x4 0 0 0 0))
            (local.set $acc2 (v128.const i32x4 0 0 0 0))
            (local.set $acc3 (v128.const i32x4 0 0 0 0))
            (local.set $tacc (v128.const i32x4 0 0 0 0))
            (block $vectors_done
              (loop $vector
                (br_if $vectors_done (i32.gt_u (i32.add (local.get $ch) (i32.const 4)) (local.get $end)))
                (local.set $a (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 2))))
                (local.set $v0 (v128.load align=4 (i32.add (local.get $a) (i32.mul (i32.const 0) (local.get $rb)))))
                (local.set $v1 (v128.load align=4 (i32.add (local.get $a) (i32.mul (i32.const 1) (local.get $rb)))))
                (local.set $v2 (v128.load align=4 (i32.add (local.get $a) (i32.mul (i32.const 2) (local.get $rb)))))
                (local.set $v3 (v128.load align=4 (i32.add (local.get $a) (i32.mul (i32.const 3) (local.get $rb)))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 2))))
                (v128.store align=4 (local.get $a) (f32x4.pmax (v128.load align=4 (local.get $a))
                  (f32x4.pmax (f32x4.pmax (local.get $v0) (local.get $v1)) (f32x4.pmax (local.get $v2) (local.get $v3)))))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 2))))
                (v128.store align=4 (local.get $a) (f32x4.add (v128.load align=4 (local.get $a))
                  (f32x4.add (f32x4.add (local.get $v0) (local.get $v1)) (f32x4.add (local.get $v2) (local.get $v3)))))
                (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $v0)))
                (local.set $acc1 (f32x4.add (local.get $acc1) (local.get $v1)))
                (local.set $acc2 (f32x4.add (local.get $acc2) (local.get $v2)))
                (local.set $acc3 (f32x4.add (local.get $acc3) (local.get $v3)))
                (local.set $frac (v128.or (local.get $frac) (v128.or
                  (v128.or (f32x4.ne (f32x4.nearest (local.get $v0)) (local.get $v0)) (f32x4.ne (f32x4.nearest (local.get $v1)) (local.get $v1)))
                  (v128.or (f32x4.ne (f32x4.nearest (local.get $v2)) (local.get $v2)) (f32x4.ne (f32x4.nearest (local.get $v3)) (local.get $v3))))))
                (local.set $low (f32x4.pmin (local.get $low)
                  (f32x4.pmin (f32x4.pmin (local.get $v0) (local.get $v1)) (f32x4.pmin (local.get $v2) (local.get $v3)))))
                (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
                (br $vector)))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $ch) (local.get $end)))
                (local.set $a (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 2))))
                (local.set $x0 (f32.load (i32.add (local.get $a) (i32.mul (i32.const 0) (local.get $rb)))))
                (local.set $x1 (f32.load (i32.add (local.get $a) (i32.mul (i32.const 1) (local.get $rb)))))
                (local.set $x2 (f32.load (i32.add (local.get $a) (i32.mul (i32.const 2) (local.get $rb)))))
                (local.set $x3 (f32.load (i32.add (local.get $a) (i32.mul (i32.const 3) (local.get $rb)))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 2))))
                (local.set $m (f32.load (local.get $a)))
                (if (f32.gt (local.get $x0) (local.get $m)) (then (local.set $m (local.get $x0))))
                (if (f32.gt (local.get $x1) (local.get $m)) (then (local.set $m (local.get $x1))))
                (if (f32.gt (local.get $x2) (local.get $m)) (then (local.set $m (local.get $x2))))
                (if (f32.gt (local.get $x3) (local.get $m)) (then (local.set $m (local.get $x3))))
                (f32.store (local.get $a) (local.get $m))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 2))))
                (f32.store (local.get $a) (f32.add (f32.load (local.get $a))
                  (f32.add (f32.add (local.get $x0) (local.get $x1)) (f32.add (local.get $x2) (local.get $x3)))))
                (local.set $t (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1 (f32x4.splat (local.get $x0))
                  (local.get $x1)) (local.get $x2)) (local.get $x3)))
                (local.set $tacc (f32x4.add (local.get $tacc) (local.get $t)))
                (local.set $frac (v128.or (local.get $frac) (f32x4.ne (f32x4.nearest (local.get $t)) (local.get $t))))
                (local.set $low (f32x4.pmin (local.get $low) (local.get $t)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                (br $tail)))
            (local.set $top (f32x4.pmax (f32x4.pmax (local.get $top) (local.get $tacc))
              (f32x4.pmax (f32x4.pmax (local.get $acc0) (local.get $acc1)) (f32x4.pmax (local.get $acc2) (local.get $acc3)))))
            (local.set $s0 (f64.add (local.get $s0) (f64.add (call $hsum_f32_as_f64 (local.get $acc0))
              (f64.promote_f32 (f32x4.extract_lane 0 (local.get $tacc))))))
            (local.set $s1 (f64.add (local.get $s1) (f64.add (call $hsum_f32_as_f64 (local.get $acc1))
              (f64.promote_f32 (f32x4.extract_lane 1 (local.get $tacc))))))
            (local.set $s2 (f64.add (local.get $s2) (f64.add (call $hsum_f32_as_f64 (local.get $acc2))
              (f64.promote_f32 (f32x4.extract_lane 2 (local.get $tacc))))))
            (local.set $s3 (f64.add (local.get $s3) (f64.add (call $hsum_f32_as_f64 (local.get $acc3))
              (f64.promote_f32 (f32x4.extract_lane 3 (local.get $tacc))))))
            (local.set $a (i32.add (local.get $out) (i32.shl (local.get $e) (i32.const 3))))
            (f64.store (i32.add (local.get $a) (i32.mul (i32.const 0) (local.get $ob))) (local.get $s0))
            (f64.store (i32.add (local.get $a) (i32.mul (i32.const 1) (local.get $ob))) (local.get $s1))
            (f64.store (i32.add (local.get $a) (i32.mul (i32.const 2) (local.get $ob))) (local.get $s2))
            (f64.store (i32.add (local.get $a) (i32.mul (i32.const 3) (local.get $ob))) (local.get $s3))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $segment)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $quad)))
    (if (v128.any_true (local.get $frac)) (then (local.set $verdict (i32.const 1))))
    (if (v128.any_true (f32x4.lt (local.get $low) (v128.const f32x4 0 0 0 0)))
      (then (local.set $verdict (i32.or (local.get $verdict) (i32.const 2)))))
    (if (i32.eqz (i32x4.all_true (f32x4.lt (local.get $top) (v128.const f32x4 16777216 16777216 16777216 16777216))))
      (then (local.set $verdict (i32.or (local.get $verdict) (i32.const 4)))))
    (if (i32.lt_u (local.get $quads) (local.get $pixels))
      (then (local.set $verdict (i32.or (local.get $verdict)
        (call $acc_f32_lanes1 (i32.add (local.get $src) (i32.mul (local.get $quads) (local.get $rb)))
          (i32.sub (local.get $pixels) (local.get $quads)) (local.get $C) (local.get $edges) (local.get $E)
          (i32.add (local.get $cum) (i32.mul (local.get $quads) (local.get $ob))) (local.get $sum) (local.get $max))))))
    (local.get $verdict))

  ;; acc_u32_lanes: u32 counts in u32 lanes, four pixels at a time (as acc_f32_lanes), for the usual
  ;; case of counts far below 2^32. Returns the largest sample M of the chunk (u32); the sums were
  ;; exact when M · max(pixels, C) < 2^32 (no lane of the sum spectrum nor any pixel's total can
  ;; then pass 2^32), which the caller checks, redoing the chunk with acc_u32 (i64) otherwise. The
  ;; sum spectrum at `sum` is u32; running sums are written as float64 like acc_u32's. The last
  ;; pixels % 4 go one at a time through $u32_lanes1.
  (func (export "acc_u32_lanes")
    (param $src i32) (param $pixels i32) (param $C i32) (param $edges i32) (param $E i32)
    (param $cum i32) (param $sum i32) (param $max i32) (result i32)
    (local $p i32) (local $row i32) (local $rb i32) (local $e i32) (local $ch i32) (local $end i32)
    (local $a i32) (local $out i32) (local $ob i32) (local $quads i32) (local $m i32) (local $big i32)
    (local $s0 i32) (local $x0 i32)
    (local $s1 i32) (local $x1 i32)
    (local $s2 i32) (local $x2 i32)
    (local $s3 i32) (local $x3 i32)
    (local $v0 v128) (local $acc0 v128)
    (local $v1 v128) (local $acc1 v128)
    (local $v2 v128) (local $acc2 v128)
    (local $v3 v128) (local $acc3 v128)
    (local $vmax v128) (local $tacc v128) (local $t v128) (local $top v128)
    (local.set $rb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $ob (i32.shl (local.get $E) (i32.const 3)))
    (local.set $quads (i32.and (local.get $pixels) (i32.const -4)))
    (block $pixels_done
      (loop $quad
        (br_if $pixels_done (i32.ge_u (local.get $p) (local.get $quads)))
        (local.set $row (i32.add (local.get $src) (i32.mul (local.get $p) (local.get $rb))))
        (local.set $out (i32.add (local.get $cum) (i32.mul (local.get $p) (local.get $ob))))
        (local.set $s0 (i32.const 0))
        (local.set $s1 (i32.const 0))
        (local.set $s2 (i32.const 0))
        (local.set $s3 (i32.const 0))
        (f64.store (i32.add (local.get $out) (i32.mul (i32.const 0) (local.get $ob))) (f64.const 0))
        (f64.store (i32.add (local.get $out) (i32.mul (i32.const 1) (local.get $ob))) (f64.const 0))
        (f64.store (i32.add (local.get $out) (i32.mul (i32.const 2) (local.get $ob))) (f64.const 0))
        (f64.store (i32.add (local.get $out) (i32.mul (i32.const 3) (local.get $ob))) (f64.const 0))
        (local.set $ch (i32.const 0))
        (local.set $e (i32.const 1))
        (block $segments_done
          (loop $segment
            (br_if $segments_done (i32.ge_u (local.get $e) (local.get $E)))
            (local.set $end (i32.load (i32.add (local.get $edges) (i32.shl (local.get $e) (i32.const 2)))))
            (local.set $acc0 (v128.const i32x4 0 0 0 0))
            (local.set $acc1 (v128.const i32x4 0 0 0 0))
            (local.set $acc2 (v128.const i32x4 0 0 0 0))
            (local.set $acc3 (v128.const i32x4 0 0 0 0))
            (local.set $tacc (v128.const i32x4 0 0 0 0))
            (block $vectors_done
              (loop $vector
                (br_if $vectors_done (i32.gt_u (i32.add (local.get $ch) (i32.const 4)) (local.get $end)))
                (local.set $a (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 2))))
                (local.set $v0 (v128.load align=4 (i32.add (local.get $a) (i32.mul (i32.const 0) (local.get $rb)))))
                (local.set $v1 (v128.load align=4 (i32.add (local.get $a) (i32.mul (i32.const 1) (local.get $rb)))))
                (local.set $v2 (v128.load align=4 (i32.add (local.get $a) (i32.mul (i32.const 2) (local.get $rb)))))
                (local.set $v3 (v128.load align=4 (i32.add (local.get $a) (i32.mul (i32.const 3) (local.get $rb)))))
                (local.set $vmax (i32x4.max_u (i32x4.max_u (local.get $v0) (local.get $v1)) (i32x4.max_u (local.get $v2) (local.get $v3))))
                (local.set $top (i32x4.max_u (local.get $top) (local.get $vmax)))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 2))))
                (v128.store align=4 (local.get $a) (i32x4.max_u (v128.load align=4 (local.get $a)) (local.get $vmax)))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 2))))
                (v128.store align=4 (local.get $a) (i32x4.add (v128.load align=4 (local.get $a))
                  (i32x4.add (i32x4.add (local.get $v0) (local.get $v1)) (i32x4.add (local.get $v2) (local.get $v3)))))
                (local.set $acc0 (i32x4.add (local.get $acc0) (local.get $v0)))
                (local.set $acc1 (i32x4.add (local.get $acc1) (local.get $v1)))
                (local.set $acc2 (i32x4.add (local.get $acc2) (local.get $v2)))
                (local.set $acc3 (i32x4.add (local.get $acc3) (local.get $v3)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
                (br $vector)))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $ch) (local.get $end)))
                (local.set $a (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 2))))
                (local.set $x0 (i32.load (i32.add (local.get $a) (i32.mul (i32.const 0) (local.get $rb)))))
                (local.set $x1 (i32.load (i32.add (local.get $a) (i32.mul (i32.const 1) (local.get $rb)))))
                (local.set $x2 (i32.load (i32.add (local.get $a) (i32.mul (i32.const 2) (local.get $rb)))))
                (local.set $x3 (i32.load (i32.add (local.get $a) (i32.mul (i32.const 3) (local.get $rb)))))
                (local.set $t (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1 (i32x4.splat (local.get $x0))
                  (local.get $x1)) (local.get $x2)) (local.get $x3)))
                (local.set $top (i32x4.max_u (local.get $top) (local.get $t)))
                (local.set $tacc (i32x4.add (local.get $tacc) (local.get $t)))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 2))))
                (local.set $m (i32.load (local.get $a)))
                (if (i32.gt_u (local.get $x0) (local.get $m)) (then (local.set $m (local.get $x0))))
                (if (i32.gt_u (local.get $x1) (local.get $m)) (then (local.set $m (local.get $x1))))
                (if (i32.gt_u (local.get $x2) (local.get $m)) (then (local.set $m (local.get $x2))))
                (if (i32.gt_u (local.get $x3) (local.get $m)) (then (local.set $m (local.get $x3))))
                (i32.store (local.get $a) (local.get $m))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 2))))
                (i32.store (local.get $a) (i32.add (i32.load (local.get $a))
                  (i32.add (i32.add (local.get $x0) (local.get $x1)) (i32.add (local.get $x2) (local.get $x3)))))
                (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                (br $tail)))
            (local.set $s0 (i32.add (local.get $s0) (i32.add (call $hsum_i32 (local.get $acc0))
              (i32x4.extract_lane 0 (local.get $tacc)))))
            (local.set $s1 (i32.add (local.get $s1) (i32.add (call $hsum_i32 (local.get $acc1))
              (i32x4.extract_lane 1 (local.get $tacc)))))
            (local.set $s2 (i32.add (local.get $s2) (i32.add (call $hsum_i32 (local.get $acc2))
              (i32x4.extract_lane 2 (local.get $tacc)))))
            (local.set $s3 (i32.add (local.get $s3) (i32.add (call $hsum_i32 (local.get $acc3))
              (i32x4.extract_lane 3 (local.get $tacc)))))
            (local.set $a (i32.add (local.get $out) (i32.shl (local.get $e) (i32.const 3))))
            (f64.store (i32.add (local.get $a) (i32.mul (i32.const 0) (local.get $ob))) (f64.convert_i32_u (local.get $s0)))
            (f64.store (i32.add (local.get $a) (i32.mul (i32.const 1) (local.get $ob))) (f64.convert_i32_u (local.get $s1)))
            (f64.store (i32.add (local.get $a) (i32.mul (i32.const 2) (local.get $ob))) (f64.convert_i32_u (local.get $s2)))
            (f64.store (i32.add (local.get $a) (i32.mul (i32.const 3) (local.get $ob))) (f64.convert_i32_u (local.get $s3)))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $segment)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $quad)))
    (local.set $big (call $hmax_u32 (local.get $top)))
    (if (i32.lt_u (local.get $quads) (local.get $pixels))
      (then (local.set $m (call $u32_lanes1 (i32.add (local.get $src) (i32.mul (local.get $quads) (local.get $rb)))
          (i32.sub (local.get $pixels) (local.get $quads)) (local.get $C) (local.get $edges) (local.get $E)
          (i32.add (local.get $cum) (i32.mul (local.get $quads) (local.get $ob))) (local.get $sum) (local.get $max)))
        (if (i32.gt_u (local.get $m) (local.get $big)) (then (local.set $big (local.get $m))))))
    (local.get $big))

  ;; One pixel at a time, for acc_u32_lanes' last pixels % 4 (the same sums, the same returned max).
  (func $u32_lanes1
    (param $src i32) (param $pixels i32) (param $C i32) (param $edges i32) (param $E i32)
    (param $cum i32) (param $sum i32) (param $max i32) (result i32)
    (local $p i32) (local $row i32) (local $e i32) (local $ch i32) (local $end i32)
    (local $s i32) (local $x i32) (local $a i32) (local $out i32) (local $big i32)
    (local $v v128) (local $acc v128) (local $top v128)
    (local.set $out (local.get $cum))
    (block $pixels_done
      (loop $pixel
        (br_if $pixels_done (i32.ge_u (local.get $p) (local.get $pixels)))
        (local.set $row (i32.add (local.get $src) (i32.shl (i32.mul (local.get $p) (local.get $C)) (i32.const 2))))
        (local.set $s (i32.const 0))
        (local.set $ch (i32.const 0))
        (f64.store (local.get $out) (f64.const 0))
        (local.set $e (i32.const 1))
        (block $segments_done
          (loop $segment
            (br_if $segments_done (i32.ge_u (local.get $e) (local.get $E)))
            (local.set $end (i32.load (i32.add (local.get $edges) (i32.shl (local.get $e) (i32.const 2)))))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (block $vectors_done
              (loop $vector
                (br_if $vectors_done (i32.gt_u (i32.add (local.get $ch) (i32.const 4)) (local.get $end)))
                (local.set $v (v128.load align=4 (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 2)))))
                (local.set $top (i32x4.max_u (local.get $top) (local.get $v)))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 2))))
                (v128.store align=4 (local.get $a) (i32x4.max_u (v128.load align=4 (local.get $a)) (local.get $v)))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 2))))
                (v128.store align=4 (local.get $a) (i32x4.add (v128.load align=4 (local.get $a)) (local.get $v)))
                (local.set $acc (i32x4.add (local.get $acc) (local.get $v)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
                (br $vector)))
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $ch) (local.get $end)))
                (local.set $x (i32.load (i32.add (local.get $row) (i32.shl (local.get $ch) (i32.const 2)))))
                (if (i32.gt_u (local.get $x) (local.get $big)) (then (local.set $big (local.get $x))))
                (local.set $a (i32.add (local.get $max) (i32.shl (local.get $ch) (i32.const 2))))
                (if (i32.gt_u (local.get $x) (i32.load (local.get $a)))
                  (then (i32.store (local.get $a) (local.get $x))))
                (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $ch) (i32.const 2))))
                (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (local.get $x)))
                (local.set $s (i32.add (local.get $s) (local.get $x)))
                (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                (br $tail)))
            (local.set $s (i32.add (local.get $s) (call $hsum_i32 (local.get $acc))))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (f64.store (local.get $out) (f64.convert_i32_u (local.get $s)))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $segment)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pixel)))
    (local.set $x (call $hmax_u32 (local.get $top)))
    (select (local.get $x) (local.get $big) (i32.gt_u (local.get $x) (local.get $big)))))
