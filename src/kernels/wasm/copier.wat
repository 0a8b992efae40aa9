;; The wasm kernel's copier, compiled against the wasm backend's own memory (all addresses and sizes in
;; bytes). scripts/build-wasm.ts assembles it into src/kernels/wasm/copier.generated.ts; the line marked
;; MEMORY becomes `(memory 0 65536 shared)` in the variant for a multi-threaded backend.
;;
;; A sample's box is a block of planes × slices × rows runs of `run` bytes, `planeStride`, `sliceStride`
;; and `rowStride` bytes apart (see src/kernels/geometry.ts).
(module
  (import "env" "memory" (memory 0)) ;; MEMORY

  ;; Copies $n bytes from $from to $to; the ranges never overlap. From $bulk bytes on, memory.copy (V8's
  ;; carries a fixed cost of tens of nanoseconds); below, 16-byte SIMD moves, overlapping where that saves a
  ;; branch (harmless: the same bytes again): four for 16–64 bytes, 64-byte groups and one last group
  ;; ending exactly at $n above; under 16 bytes two overlapping 8- or 4-byte moves, under 4 single bytes
  ;; (bool masks). Not memory.copy, whatever $n, when
  ;; $to lies 1–63 bytes past $from modulo 4 KiB: V8 hands it to the C library's memmove, which then runs
  ;; 20 times slower (2–3 bytes/ns against 60, 4–256 KiB, measured in docs/benchmarks.md), and tensors
  ;; whose sizes are multiples of 4 KiB lie just such an allocator header apart.
  (func $copy (param $from i32) (param $to i32) (param $n i32) (param $bulk i32)
    (local $i i32)
    (if (i32.and
          (i32.ge_u (local.get $n) (local.get $bulk))
          (i32.ge_u
            (i32.and (i32.sub (i32.sub (local.get $to) (local.get $from)) (i32.const 1)) (i32.const 4095))
            (i32.const 63)))
      (then
        (memory.copy (local.get $to) (local.get $from) (local.get $n))
        (return)))
    (if (i32.ge_u (local.get $n) (i32.const 16))
      (then
        (if (i32.le_u (local.get $n) (i32.const 64))
          (then
            ;; Four 16-byte moves, at 0, min(16, n − 16), max(n − 32, 0) and n − 16: together they cover
            ;; [0, n) and stay inside it, with no loop whose length changes from one run to the next.
            (local.set $i (select (i32.const 16) (i32.sub (local.get $n) (i32.const 16))
              (i32.gt_u (local.get $n) (i32.const 32))))
            (v128.store (local.get $to) (v128.load (local.get $from)))
            (v128.store (i32.add (local.get $to) (local.get $i)) (v128.load (i32.add (local.get $from) (local.get $i))))
            (local.set $i (select (i32.sub (local.get $n) (i32.const 32)) (i32.const 0)
              (i32.ge_u (local.get $n) (i32.const 32))))
            (v128.store (i32.add (local.get $to) (local.get $i)) (v128.load (i32.add (local.get $from) (local.get $i))))
            (v128.store (i32.sub (i32.add (local.get $to) (local.get $n)) (i32.const 16))
              (v128.load (i32.sub (i32.add (local.get $from) (local.get $n)) (i32.const 16))))
            (return)))
        ;; Over 64 bytes: 64-byte moves while whole ones fit, then the last 64 bytes (ending exactly at n).
        (block $sixty_four_done
          (loop $sixty_four
            (br_if $sixty_four_done (i32.gt_u (i32.add (local.get $i) (i32.const 64)) (local.get $n)))
            (v128.store offset=0 (i32.add (local.get $to) (local.get $i))
              (v128.load offset=0 (i32.add (local.get $from) (local.get $i))))
            (v128.store offset=16 (i32.add (local.get $to) (local.get $i))
              (v128.load offset=16 (i32.add (local.get $from) (local.get $i))))
            (v128.store offset=32 (i32.add (local.get $to) (local.get $i))
              (v128.load offset=32 (i32.add (local.get $from) (local.get $i))))
            (v128.store offset=48 (i32.add (local.get $to) (local.get $i))
              (v128.load offset=48 (i32.add (local.get $from) (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 64)))
            (br $sixty_four)))
        (local.set $i (i32.sub (local.get $n) (i32.const 64)))
        (v128.store offset=0 (i32.add (local.get $to) (local.get $i))
          (v128.load offset=0 (i32.add (local.get $from) (local.get $i))))
        (v128.store offset=16 (i32.add (local.get $to) (local.get $i))
          (v128.load offset=16 (i32.add (local.get $from) (local.get $i))))
        (v128.store offset=32 (i32.add (local.get $to) (local.get $i))
          (v128.load offset=32 (i32.add (local.get $from) (local.get $i))))
        (v128.store offset=48 (i32.add (local.get $to) (local.get $i))
          (v128.load offset=48 (i32.add (local.get $from) (local.get $i))))
        (return)))
    (if (i32.ge_u (local.get $n) (i32.const 8))
      (then
        (i64.store (local.get $to) (i64.load (local.get $from)))
        (i64.store (i32.sub (i32.add (local.get $to) (local.get $n)) (i32.const 8))
          (i64.load (i32.sub (i32.add (local.get $from) (local.get $n)) (i32.const 8))))
        (return)))
    (if (i32.ge_u (local.get $n) (i32.const 4))
      (then
        (i32.store (local.get $to) (i32.load (local.get $from)))
        (i32.store (i32.sub (i32.add (local.get $to) (local.get $n)) (i32.const 4))
          (i32.load (i32.sub (i32.add (local.get $from) (local.get $n)) (i32.const 4))))
        (return)))
    (block $bytes_done
      (loop $bytes
        (br_if $bytes_done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.add (local.get $to) (local.get $i))
          (i32.load8_u (i32.add (local.get $from) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes))))

  ;; Adds the $n bytes of float32 at $from into those at $to (the gradient's scatter-add), four at a time.
  (func $add (param $from i32) (param $to i32) (param $n i32)
    (local $i i32)
    (block $four_done
      (loop $four
        (br_if $four_done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $n)))
        (v128.store (i32.add (local.get $to) (local.get $i))
          (f32x4.add
            (v128.load (i32.add (local.get $to) (local.get $i)))
            (v128.load (i32.add (local.get $from) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $four)))
    (block $one_done
      (loop $one
        (br_if $one_done (i32.ge_u (local.get $i) (local.get $n)))
        (f32.store (i32.add (local.get $to) (local.get $i))
          (f32.add
            (f32.load (i32.add (local.get $to) (local.get $i)))
            (f32.load (i32.add (local.get $from) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $one))))

  ;; Runs $op on every run of one box block, at the same block offsets from $from and $to: 0 copies
  ;; (memory.copy only from 128 bytes: these runs are short), 1 adds float32, 2 zeroes $to.
  (func $block
    (param $op i32) (param $from i32) (param $to i32)
    (param $planes i32) (param $planeStride i32)
    (param $slices i32) (param $sliceStride i32)
    (param $rows i32) (param $rowStride i32)
    (param $run i32)
    (local $p i32) (local $s i32) (local $r i32) (local $sliceAt i32) (local $rowAt i32)
    (local $short i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    ;; Runs of 16–64 bytes (the same for every row) move as four 16-byte moves written out here, at
    ;; offsets fixed for the block (see $copy): no call and no branch per row.
    (local.set $short (i32.and (i32.ge_u (local.get $run) (i32.const 16)) (i32.le_u (local.get $run) (i32.const 64))))
    (local.set $o1 (select (i32.const 16) (i32.sub (local.get $run) (i32.const 16)) (i32.gt_u (local.get $run) (i32.const 32))))
    (local.set $o2 (select (i32.sub (local.get $run) (i32.const 32)) (i32.const 0) (i32.ge_u (local.get $run) (i32.const 32))))
    (local.set $o3 (i32.sub (local.get $run) (i32.const 16)))
    (block $planes_done
      (loop $plane
        (br_if $planes_done (i32.ge_u (local.get $p) (local.get $planes)))
        (local.set $sliceAt (i32.mul (local.get $p) (local.get $planeStride)))
        (local.set $s (i32.const 0))
        (block $slices_done
          (loop $slice
            (br_if $slices_done (i32.ge_u (local.get $s) (local.get $slices)))
            (local.set $rowAt (local.get $sliceAt))
            (local.set $r (i32.const 0))
            (block $rows_done
              (loop $row
                (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
                (block $done
                  (block $zero
                    (block $add
                      (block $copy
                        (br_table $copy $add $zero (local.get $op)))
                      (if (local.get $short)
                        (then
                          (v128.store (i32.add (local.get $to) (local.get $rowAt))
                            (v128.load (i32.add (local.get $from) (local.get $rowAt))))
                          (v128.store (i32.add (local.get $to) (i32.add (local.get $rowAt) (local.get $o1)))
                            (v128.load (i32.add (local.get $from) (i32.add (local.get $rowAt) (local.get $o1)))))
                          (v128.store (i32.add (local.get $to) (i32.add (local.get $rowAt) (local.get $o2)))
                            (v128.load (i32.add (local.get $from) (i32.add (local.get $rowAt) (local.get $o2)))))
                          (v128.store (i32.add (local.get $to) (i32.add (local.get $rowAt) (local.get $o3)))
                            (v128.load (i32.add (local.get $from) (i32.add (local.get $rowAt) (local.get $o3))))))
                        (else
                          (call $copy
                            (i32.add (local.get $from) (local.get $rowAt))
                            (i32.add (local.get $to) (local.get $rowAt))
                            (local.get $run)
                            (i32.const 128))))
                      (br $done))
                    (call $add
                      (i32.add (local.get $from) (local.get $rowAt))
                      (i32.add (local.get $to) (local.get $rowAt))
                      (local.get $run))
                    (br $done))
                  (memory.fill (i32.add (local.get $to) (local.get $rowAt)) (i32.const 0) (local.get $run)))
                (local.set $rowAt (i32.add (local.get $rowAt) (local.get $rowStride)))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $row)))
            (local.set $sliceAt (i32.add (local.get $sliceAt) (local.get $sliceStride)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $slice)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $plane))))

  ;; The box block copied from $from to $to: the box rows pasted over a batch already copied.
  (func (export "copyBlock")
    (param $from i32) (param $to i32) (param $planes i32) (param $planeStride i32) (param $slices i32)
    (param $sliceStride i32) (param $rows i32) (param $rowStride i32) (param $run i32)
    (call $block (i32.const 0) (local.get $from) (local.get $to) (local.get $planes) (local.get $planeStride)
      (local.get $slices) (local.get $sliceStride) (local.get $rows) (local.get $rowStride) (local.get $run)))

  ;; The box block of float32 at $from added into the one at $to: a gradient sent to the partner.
  (func (export "addBlock")
    (param $from i32) (param $to i32) (param $planes i32) (param $planeStride i32) (param $slices i32)
    (param $sliceStride i32) (param $rows i32) (param $rowStride i32) (param $run i32)
    (call $block (i32.const 1) (local.get $from) (local.get $to) (local.get $planes) (local.get $planeStride)
      (local.get $slices) (local.get $sliceStride) (local.get $rows) (local.get $rowStride) (local.get $run)))

  ;; The box block at $to zeroed: where a mixed sample's output came from its partner.
  (func (export "zeroBlock")
    (param $to i32) (param $planes i32) (param $planeStride i32) (param $slices i32)
    (param $sliceStride i32) (param $rows i32) (param $rowStride i32) (param $run i32)
    (call $block (i32.const 2) (local.get $to) (local.get $to) (local.get $planes) (local.get $planeStride)
      (local.get $slices) (local.get $sliceStride) (local.get $rows) (local.get $rowStride) (local.get $run)))

  ;; Writes one output sample of $sampleBytes at $to in a single pass, every byte once: its own bytes (at
  ;; $own) up to each box run, the partner's run (at $partner), …, then its own bytes after the last run.
  ;; The block starts $start bytes into the sample; with $planes 0 the sample is copied as it is. Own runs
  ;; are long here, and 1–16 KiB thresholds measure alike, so memory.copy only from 4 KiB.
  (func (export "pasteSample")
    (param $own i32) (param $partner i32) (param $to i32) (param $sampleBytes i32) (param $start i32)
    (param $planes i32) (param $planeStride i32)
    (param $slices i32) (param $sliceStride i32)
    (param $rows i32) (param $rowStride i32)
    (param $run i32)
    (local $p i32) (local $s i32) (local $r i32) (local $sliceAt i32) (local $rowAt i32) (local $pos i32)
    (local $n i32) (local $short i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $a i32) (local $b i32)
    (local $i i32)
    ;; As in $block: runs of 16–64 bytes are four moves written out, at offsets fixed for the sample; own
    ;; stretches of 16–64 bytes too, their offsets worked out per stretch.
    (local.set $short (i32.and (i32.ge_u (local.get $run) (i32.const 16)) (i32.le_u (local.get $run) (i32.const 64))))
    (local.set $o1 (select (i32.const 16) (i32.sub (local.get $run) (i32.const 16)) (i32.gt_u (local.get $run) (i32.const 32))))
    (local.set $o2 (select (i32.sub (local.get $run) (i32.const 32)) (i32.const 0) (i32.ge_u (local.get $run) (i32.const 32))))
    (local.set $o3 (i32.sub (local.get $run) (i32.const 16)))
    (block $planes_done
      (loop $plane
        (br_if $planes_done (i32.ge_u (local.get $p) (local.get $planes)))
        (local.set $sliceAt (i32.add (local.get $start) (i32.mul (local.get $p) (local.get $planeStride))))
        (local.set $s (i32.const 0))
        (block $slices_done
          (loop $slice
            (br_if $slices_done (i32.ge_u (local.get $s) (local.get $slices)))
            (local.set $rowAt (local.get $sliceAt))
            (local.set $r (i32.const 0))
            (block $rows_done
              (loop $row
                (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
                ;; own bytes up to the run, then the partner's run
                (local.set $n (i32.sub (local.get $rowAt) (local.get $pos)))
                (if (i32.le_u (i32.sub (local.get $n) (i32.const 16)) (i32.const 48))
                  (then
                    (local.set $a (i32.add (local.get $own) (local.get $pos)))
                    (local.set $b (i32.add (local.get $to) (local.get $pos)))
                    (v128.store (local.get $b) (v128.load (local.get $a)))
                    (local.set $i (select (i32.const 16) (i32.sub (local.get $n) (i32.const 16))
                      (i32.gt_u (local.get $n) (i32.const 32))))
                    (v128.store (i32.add (local.get $b) (local.get $i)) (v128.load (i32.add (local.get $a) (local.get $i))))
                    (local.set $i (select (i32.sub (local.get $n) (i32.const 32)) (i32.const 0)
                      (i32.ge_u (local.get $n) (i32.const 32))))
                    (v128.store (i32.add (local.get $b) (local.get $i)) (v128.load (i32.add (local.get $a) (local.get $i))))
                    (local.set $i (i32.sub (local.get $n) (i32.const 16)))
                    (v128.store (i32.add (local.get $b) (local.get $i)) (v128.load (i32.add (local.get $a) (local.get $i)))))
                  (else
                    (call $copy (i32.add (local.get $own) (local.get $pos)) (i32.add (local.get $to) (local.get $pos))
                      (local.get $n) (i32.const 4096))))
                (local.set $a (i32.add (local.get $partner) (local.get $rowAt)))
                (local.set $b (i32.add (local.get $to) (local.get $rowAt)))
                (if (local.get $short)
                  (then
                    (v128.store (local.get $b) (v128.load (local.get $a)))
                    (v128.store (i32.add (local.get $b) (local.get $o1)) (v128.load (i32.add (local.get $a) (local.get $o1))))
                    (v128.store (i32.add (local.get $b) (local.get $o2)) (v128.load (i32.add (local.get $a) (local.get $o2))))
                    (v128.store (i32.add (local.get $b) (local.get $o3)) (v128.load (i32.add (local.get $a) (local.get $o3)))))
                  (else
                    (call $copy (local.get $a) (local.get $b) (local.get $run) (i32.const 4096))))
                (local.set $pos (i32.add (local.get $rowAt) (local.get $run)))
                (local.set $rowAt (i32.add (local.get $rowAt) (local.get $rowStride)))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $row)))
            (local.set $sliceAt (i32.add (local.get $sliceAt) (local.get $sliceStride)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $slice)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $plane)))
    ;; own bytes after the last run
    (call $copy
      (i32.add (local.get $own) (local.get $pos))
      (i32.add (local.get $to) (local.get $pos))
      (i32.sub (local.get $sampleBytes) (local.get $pos))
      (i32.const 4096))))
