;; The channels-first → pixel-major transpose of HDF5 row blocks, in WebAssembly SIMD (see
;; transpose-kernel.ts for how it is driven, scripts/build-pass-kernel.mjs for how it becomes
;; transpose-kernel-bytes.ts).
;;
;; Both functions move a C × inner matrix of samples (C rows of `inner` samples, row k starting
;; `stride` samples after row k − 1, at byte `src`) into its transpose at byte `dst` (inner rows of
;; C samples, packed):
;;     dst[i·C + ch] = src[ch·stride + i]    for ch < C, i < inner.
;; Samples are moved as bits (t16: 2-byte samples, u16 or i16; t32: 4-byte samples, u32, i32 or
;; f32, NaN payloads included), so one function serves every sample type of its width.
;;
;; The bulk goes in square blocks held in registers, 8 × 8 for t16 and 4 × 4 for t32: one 16-byte
;; load per source row, three (t16) or two (t32) rounds of lane interleaving by i8x16.shuffle, one
;; 16-byte store per destination row. The blocks are visited in 64 × 64 tiles (channels × pixels)
;; so that the source lines a tile reads stay in L1 for the next blocks of pixels; within a tile a
;; block of pixels takes every block of channels before the next block of pixels starts, so only
;; 8 (t16) or 4 (t32) destination lines are being filled at a time: destination rows are C samples
;; apart (8 KiB for 4096 u16 channels), all in one L1 set, and filling 64 of them at once (channels
;; outer) was measured 1.5× slower. Channels and pixels past the last whole block (C or inner not a
;; multiple of the block) go one sample at a time.
(module
  (import "env" "memory" (memory 1))

  ;; One sample at a time: channels [c0, c1) × pixels [i0, i1), 2-byte samples.
  (func $s16 (param $src i32) (param $stride i32) (param $C i32) (param $dst i32)
    (param $c0 i32) (param $c1 i32) (param $i0 i32) (param $i1 i32)
    (local $ch i32) (local $i i32)
    (local.set $ch (local.get $c0))
    (block $done
      (loop $chl
        (br_if $done (i32.ge_u (local.get $ch) (local.get $c1)))
        (local.set $i (local.get $i0))
        (block $idone
          (loop $il
            (br_if $idone (i32.ge_u (local.get $i) (local.get $i1)))
            (i32.store16
              (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $C)) (local.get $ch)) (i32.const 1)))
              (i32.load16_u
                (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $ch) (local.get $stride)) (local.get $i)) (i32.const 1)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $il)))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $chl))))

  ;; One sample at a time: channels [c0, c1) × pixels [i0, i1), 4-byte samples.
  (func $s32 (param $src i32) (param $stride i32) (param $C i32) (param $dst i32)
    (param $c0 i32) (param $c1 i32) (param $i0 i32) (param $i1 i32)
    (local $ch i32) (local $i i32)
    (local.set $ch (local.get $c0))
    (block $done
      (loop $chl
        (br_if $done (i32.ge_u (local.get $ch) (local.get $c1)))
        (local.set $i (local.get $i0))
        (block $idone
          (loop $il
            (br_if $idone (i32.ge_u (local.get $i) (local.get $i1)))
            (i32.store
              (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $C)) (local.get $ch)) (i32.const 2)))
              (i32.load
                (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $ch) (local.get $stride)) (local.get $i)) (i32.const 2)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $il)))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $chl))))

  (func $min (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_u (local.get $a) (local.get $b))))

  ;; 2-byte samples, 8 × 8 blocks.
  (func (export "t16") (param $src i32) (param $stride i32) (param $C i32) (param $inner i32) (param $dst i32)
    (local $C8 i32) (local $I8 i32) (local $sb i32) (local $cb i32)
    (local $c0 i32) (local $c1 i32) (local $i0 i32) (local $i1 i32) (local $ch i32) (local $i i32)
    (local $s i32) (local $d i32) (local $p i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $r4 v128) (local $r5 v128) (local $r6 v128) (local $r7 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $t4 v128) (local $t5 v128) (local $t6 v128) (local $t7 v128)
    (local.set $C8 (i32.and (local.get $C) (i32.const -8)))
    (local.set $I8 (i32.and (local.get $inner) (i32.const -8)))
    (local.set $sb (i32.shl (local.get $stride) (i32.const 1)))
    (local.set $cb (i32.shl (local.get $C) (i32.const 1)))
    (block $cdone
      (loop $ctile
        (br_if $cdone (i32.ge_u (local.get $c0) (local.get $C8)))
        (local.set $c1 (call $min (local.get $C8) (i32.add (local.get $c0) (i32.const 64))))
        (local.set $i0 (i32.const 0))
        (block $tdone
          (loop $itile
            (br_if $tdone (i32.ge_u (local.get $i0) (local.get $I8)))
            (local.set $i1 (call $min (local.get $I8) (i32.add (local.get $i0) (i32.const 64))))
            (local.set $i (local.get $i0))
            (block $idone
              (loop $il
                (br_if $idone (i32.ge_u (local.get $i) (local.get $i1)))
                (local.set $ch (local.get $c0))
                (local.set $s (i32.add (local.get $src)
                  (i32.shl (i32.add (i32.mul (local.get $ch) (local.get $stride)) (local.get $i)) (i32.const 1))))
                (local.set $d (i32.add (local.get $dst)
                  (i32.shl (i32.add (i32.mul (local.get $i) (local.get $C)) (local.get $ch)) (i32.const 1))))
                (block $chdone
                  (loop $chl
                    (br_if $chdone (i32.ge_u (local.get $ch) (local.get $c1)))
                    ;; rows ch … ch + 7, pixels i … i + 7
                    (local.set $p (local.get $s))
                    (local.set $r0 (v128.load align=2 (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (local.get $sb)))
                    (local.set $r1 (v128.load align=2 (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (local.get $sb)))
                    (local.set $r2 (v128.load align=2 (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (local.get $sb)))
                    (local.set $r3 (v128.load align=2 (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (local.get $sb)))
                    (local.set $r4 (v128.load align=2 (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (local.get $sb)))
                    (local.set $r5 (v128.load align=2 (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (local.get $sb)))
                    (local.set $r6 (v128.load align=2 (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (local.get $sb)))
                    (local.set $r7 (v128.load align=2 (local.get $p)))
                    ;; round 1: interleave 16-bit lanes of row pairs (t0 = r0[0] r1[0] r0[1] r1[1] …)
                    (local.set $t0 (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $r0) (local.get $r1)))
                    (local.set $t1 (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $r0) (local.get $r1)))
                    (local.set $t2 (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $r2) (local.get $r3)))
                    (local.set $t3 (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $r2) (local.get $r3)))
                    (local.set $t4 (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $r4) (local.get $r5)))
                    (local.set $t5 (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $r4) (local.get $r5)))
                    (local.set $t6 (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $r6) (local.get $r7)))
                    (local.set $t7 (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $r6) (local.get $r7)))
                    ;; round 2: interleave 32-bit lanes (r0 = rows 0-3 of pixels 0 and 1, r1 = of pixels 2 and 3, …)
                    (local.set $r0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $t0) (local.get $t2)))
                    (local.set $r1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $t0) (local.get $t2)))
                    (local.set $r2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $t1) (local.get $t3)))
                    (local.set $r3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $t1) (local.get $t3)))
                    (local.set $r4 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $t4) (local.get $t6)))
                    (local.set $r5 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $t4) (local.get $t6)))
                    (local.set $r6 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $t5) (local.get $t7)))
                    (local.set $r7 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $t5) (local.get $t7)))
                    ;; round 3: join the 64-bit halves (rows 0-3 and 4-7 of one pixel) and store pixel by pixel
                    (local.set $p (local.get $d))
                    (v128.store align=2 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $r0) (local.get $r4)))
                    (local.set $p (i32.add (local.get $p) (local.get $cb)))
                    (v128.store align=2 (local.get $p) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $r0) (local.get $r4)))
                    (local.set $p (i32.add (local.get $p) (local.get $cb)))
                    (v128.store align=2 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $r1) (local.get $r5)))
                    (local.set $p (i32.add (local.get $p) (local.get $cb)))
                    (v128.store align=2 (local.get $p) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $r1) (local.get $r5)))
                    (local.set $p (i32.add (local.get $p) (local.get $cb)))
                    (v128.store align=2 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $r2) (local.get $r6)))
                    (local.set $p (i32.add (local.get $p) (local.get $cb)))
                    (v128.store align=2 (local.get $p) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $r2) (local.get $r6)))
                    (local.set $p (i32.add (local.get $p) (local.get $cb)))
                    (v128.store align=2 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $r3) (local.get $r7)))
                    (local.set $p (i32.add (local.get $p) (local.get $cb)))
                    (v128.store align=2 (local.get $p) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $r3) (local.get $r7)))
                    (local.set $s (i32.add (local.get $s) (i32.shl (local.get $sb) (i32.const 3))))
                    (local.set $d (i32.add (local.get $d) (i32.const 16)))
                    (local.set $ch (i32.add (local.get $ch) (i32.const 8)))
                    (br $chl)))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $il)))
            (local.set $i0 (i32.add (local.get $i0) (i32.const 64)))
            (br $itile)))
        (local.set $c0 (i32.add (local.get $c0) (i32.const 64)))
        (br $ctile)))
    ;; the channels past the last whole block, every pixel; then the pixels past it, the other channels
    (call $s16 (local.get $src) (local.get $stride) (local.get $C) (local.get $dst) (local.get $C8) (local.get $C) (i32.const 0) (local.get $inner))
    (call $s16 (local.get $src) (local.get $stride) (local.get $C) (local.get $dst) (i32.const 0) (local.get $C8) (local.get $I8) (local.get $inner)))

  ;; 4-byte samples, 4 × 4 blocks.
  (func (export "t32") (param $src i32) (param $stride i32) (param $C i32) (param $inner i32) (param $dst i32)
    (local $C4 i32) (local $I4 i32) (local $sb i32) (local $cb i32)
    (local $c0 i32) (local $c1 i32) (local $i0 i32) (local $i1 i32) (local $ch i32) (local $i i32)
    (local $s i32) (local $d i32) (local $p i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $I4 (i32.and (local.get $inner) (i32.const -4)))
    (local.set $sb (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (block $cdone
      (loop $ctile
        (br_if $cdone (i32.ge_u (local.get $c0) (local.get $C4)))
        (local.set $c1 (call $min (local.get $C4) (i32.add (local.get $c0) (i32.const 64))))
        (local.set $i0 (i32.const 0))
        (block $tdone
          (loop $itile
            (br_if $tdone (i32.ge_u (local.get $i0) (local.get $I4)))
            (local.set $i1 (call $min (local.get $I4) (i32.add (local.get $i0) (i32.const 64))))
            (local.set $i (local.get $i0))
            (block $idone
              (loop $il
                (br_if $idone (i32.ge_u (local.get $i) (local.get $i1)))
                (local.set $ch (local.get $c0))
                (local.set $s (i32.add (local.get $src)
                  (i32.shl (i32.add (i32.mul (local.get $ch) (local.get $stride)) (local.get $i)) (i32.const 2))))
                (local.set $d (i32.add (local.get $dst)
                  (i32.shl (i32.add (i32.mul (local.get $i) (local.get $C)) (local.get $ch)) (i32.const 2))))
                (block $chdone
                  (loop $chl
                    (br_if $chdone (i32.ge_u (local.get $ch) (local.get $c1)))
                    ;; rows ch … ch + 3, pixels i … i + 3
                    (local.set $p (local.get $s))
                    (local.set $r0 (v128.load align=4 (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (local.get $sb)))
                    (local.set $r1 (v128.load align=4 (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (local.get $sb)))
                    (local.set $r2 (v128.load align=4 (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (local.get $sb)))
                    (local.set $r3 (v128.load align=4 (local.get $p)))
                    ;; round 1: interleave 32-bit lanes of row pairs (t0 = r0[0] r1[0] r0[1] r1[1])
                    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                    ;; round 2: join the 64-bit halves and store pixel by pixel
                    (local.set $p (local.get $d))
                    (v128.store align=4 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                    (local.set $p (i32.add (local.get $p) (local.get $cb)))
                    (v128.store align=4 (local.get $p) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                    (local.set $p (i32.add (local.get $p) (local.get $cb)))
                    (v128.store align=4 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                    (local.set $p (i32.add (local.get $p) (local.get $cb)))
                    (v128.store align=4 (local.get $p) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                    (local.set $s (i32.add (local.get $s) (i32.shl (local.get $sb) (i32.const 2))))
                    (local.set $d (i32.add (local.get $d) (i32.const 16)))
                    (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
                    (br $chl)))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $il)))
            (local.set $i0 (i32.add (local.get $i0) (i32.const 64)))
            (br $itile)))
        (local.set $c0 (i32.add (local.get $c0) (i32.const 64)))
        (br $ctile)))
    (call $s32 (local.get $src) (local.get $stride) (local.get $C) (local.get $dst) (local.get $C4) (local.get $C) (i32.const 0) (local.get $inner))
    (call $s32 (local.get $src) (local.get $stride) (local.get $C) (local.get $dst) (i32.const 0) (local.get $C4) (local.get $I4) (local.get $inner))))
