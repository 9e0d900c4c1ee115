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
;; acc_f32: float32 samples (every other format, converted by its reader); running sums and the
;;   sum spectrum in float64, the max spectrum in float32 (pmax: keeps the old value unless the new
;;   one is greater, like the JavaScript reference).
(module
  (import "env" "memory" (memory 1))

  (func $hsum_i32 (param $v v128) (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  (func $hsum_f64 (param $v v128) (result f64)
    (f64.add (f64x2.extract_lane 0 (local.get $v)) (f64x2.extract_lane 1 (local.get $v))))

  (func (export "acc_u16")
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
        (br $pixel)))))
