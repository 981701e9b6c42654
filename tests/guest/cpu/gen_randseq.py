#!/usr/bin/python3
"""Generate randseq.asm: a long random sequence of integer instructions on registers and a
64-byte memory area, for comparing Vireo with QEMU as whole programs. Unlike the
single-instruction differential tests, flags here flow from one instruction to the next (ADC after ADD, CMOVcc after INC,
RCL after SHL...), which is where lazy-flag evaluation goes wrong.

The generator tracks which flags are defined at every point (per the Intel SDM) and only
emits a flag-consuming instruction when the flags it reads are defined; the register hash
taken between blocks (registers, the memory area, the flags) masks the undefined flags. So QEMU and a correct CPU must print the same
hashes.

usage: gen_randseq.py SEED COUNT OUTPUT.asm [every]
With "every", the hash is printed after every block (to find where two CPUs part ways).
"""
import random
import sys

CF, PF, AF, ZF, SF, OF = 0x1, 0x4, 0x10, 0x40, 0x80, 0x800
ALL = CF | PF | AF | ZF | SF | OF
R32 = ["eax", "ecx", "edx", "ebx", "esi", "edi", "ebp"]
R16 = ["ax", "cx", "dx", "bx", "si", "di", "bp"]
R8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"]
CONDS = {
    "o": OF, "no": OF, "b": CF, "ae": CF, "e": ZF, "ne": ZF, "be": CF | ZF, "a": CF | ZF,
    "s": SF, "ns": SF, "p": PF, "np": PF, "l": SF | OF, "ge": SF | OF, "le": ZF | SF | OF,
    "g": ZF | SF | OF,
}


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.defined = 0  # flags whose value is architecturally defined now
        self.lines = []
        self.jumps = 0

    def emit(self, text, consumes=0, sets=0, undef=0):
        """consumes: flags read (must be defined); sets: flags defined after; undef: flags
        left undefined after. Flags in neither keep their state."""
        assert consumes & ~self.defined == 0, text
        self.lines.append("        " + text)
        self.defined = (self.defined | sets) & ~undef

    def reg(self, size):
        return self.r.choice({32: R32, 16: R16, 8: R8}[size])

    def imm(self, size):
        v = self.r.choice([0, 1, 0x7F, 0x80, 0xFF, -1, self.r.getrandbits(size)])
        return v & ((1 << size) - 1)

    def alu(self):
        size = self.r.choice([32, 32, 16, 8])
        op = self.r.choice(["add", "sub", "cmp", "and", "or", "xor", "test", "adc", "sbb"])
        if op in ("adc", "sbb") and not self.defined & CF:
            op = "add"
        dst = self.reg(size)
        src = self.reg(size) if self.r.random() < 0.6 else str(self.imm(size))
        if op == "test" and not src.isalpha():
            src = str(self.imm(size))
        logic = op in ("and", "or", "xor", "test")
        self.emit(f"{op} {dst}, {src}", consumes=CF if op in ("adc", "sbb") else 0,
                  sets=ALL & ~AF if logic else ALL, undef=AF if logic else 0)

    def unary(self):
        size = self.r.choice([32, 16, 8])
        op = self.r.choice(["inc", "dec", "neg", "not"])
        r = self.reg(size)
        if op in ("inc", "dec"):
            self.emit(f"{op} {r}", sets=ALL & ~CF)
        elif op == "neg":
            self.emit(f"neg {r}", sets=ALL)
        else:
            self.emit(f"not {r}")

    def shift(self):
        size = self.r.choice([32, 16, 8])
        op = self.r.choice(["shl", "shr", "sar", "rol", "ror", "rcl", "rcr"])
        if op in ("rcl", "rcr") and not self.defined & CF:
            op = "rol"
        r = self.reg(size)
        count = self.r.choice([0, 1, 1, 2, 3, 7, 8, 15, 16, 31, self.r.randrange(32)])
        use_cl = self.r.random() < 0.3 and r not in ("cl", "cx", "ecx", "ch")
        if use_cl:
            self.emit(f"mov cl, {count + self.r.choice([0, 32, 64])}")
            text = f"{op} {r}, cl"
        else:
            text = f"{op} {r}, {count}"
        consumes = CF if op in ("rcl", "rcr") else 0
        if count == 0:
            self.emit(text, consumes=consumes)
            return
        ov = OF if count == 1 else 0
        if op in ("rol", "ror", "rcl", "rcr"):
            self.emit(text, consumes=consumes, sets=CF | ov, undef=OF & ~ov)
            return
        sets = SF | ZF | PF | ov
        undef = AF | (OF & ~ov)
        if op == "sar" or count < size:
            sets |= CF
        else:
            undef |= CF
        self.emit(text, sets=sets, undef=undef)

    def shxd(self):
        op = self.r.choice(["shld", "shrd"])
        size = self.r.choice([32, 16])
        a, b = self.reg(size), self.reg(size)
        count = self.r.choice([0, 1, 4, 9, 15, 16] + ([31, 20] if size == 32 else []))
        ov = OF if count == 1 else 0
        if count == 0:
            self.emit(f"{op} {a}, {b}, 0")
        else:
            self.emit(f"{op} {a}, {b}, {count}", sets=CF | SF | ZF | PF | ov,
                      undef=AF | (OF & ~ov))

    def mul(self):
        kind = self.r.randrange(3)
        if kind == 0:
            self.emit(f"imul {self.reg(32)}, {self.reg(32)}", sets=CF | OF,
                      undef=SF | ZF | AF | PF)
        elif kind == 1:
            self.emit(f"imul {self.reg(16)}, {self.reg(16)}, {self.imm(16)}", sets=CF | OF,
                      undef=SF | ZF | AF | PF)
        else:
            self.emit(f"{self.r.choice(['mul', 'imul'])} {self.reg(32)}", sets=CF | OF,
                      undef=SF | ZF | AF | PF)

    def bits(self):
        op = self.r.choice(["bt", "bts", "btr", "btc"])
        size = self.r.choice([32, 16])
        src = self.reg(size) if self.r.random() < 0.5 else str(self.r.randrange(64))
        self.emit(f"{op} {self.reg(size)}, {src}", sets=CF, undef=OF | SF | AF | PF)

    def consume(self):
        usable = [c for c, need in CONDS.items() if need & ~self.defined == 0]
        kind = self.r.randrange(5)
        if kind == 0 and usable:
            c = self.r.choice(usable)
            self.emit(f"set{c} {self.reg(8)}", consumes=CONDS[c])
        elif kind == 1 and usable:
            c = self.r.choice(usable)
            self.emit(f"cmov{c} {self.reg(32)}, {self.reg(32)}", consumes=CONDS[c])
        elif kind == 2 and usable:
            c = self.r.choice(usable)
            self.jumps += 1
            label = f".j{self.jumps}"
            self.emit(f"j{c} {label}", consumes=CONDS[c])
            before = self.defined
            self.emit(f"xor {self.reg(32)}, {self.imm(32)}", sets=ALL & ~AF, undef=AF)
            self.defined &= before  # the XOR may be jumped over: defined on both paths only
            self.lines.append(f"{label}:")
        elif kind == 3 and self.defined & (SF | ZF | AF | PF | CF) == SF | ZF | AF | PF | CF:
            self.emit("lahf", consumes=SF | ZF | AF | PF | CF)
        elif kind == 4:
            op = self.r.choice(["clc", "stc", "cmc", "sahf"])
            if op == "cmc" and not self.defined & CF:
                op = "stc"
            if op == "sahf":
                self.emit("sahf", sets=SF | ZF | AF | PF | CF)
            else:
                self.emit(op, consumes=CF if op == "cmc" else 0, sets=CF)

    def move(self):
        kind = self.r.randrange(5)
        if kind == 0:
            self.emit(f"mov {self.reg(32)}, {self.imm(32)}")
        elif kind == 1:
            self.emit(f"movzx {self.reg(32)}, {self.reg(8)}")
        elif kind == 2:
            self.emit(f"movsx {self.reg(32)}, {self.reg(16)}")
        elif kind == 3:
            self.emit(f"lea {self.reg(32)}, [{self.reg(32)} + {self.reg(32)} * "
                      f"{self.r.choice([1, 2, 4, 8])} + {self.imm(8)}]")
        else:
            self.emit(f"bswap {self.reg(32)}" if self.r.random() < 0.5
                      else f"xchg {self.reg(32)}, {self.reg(32)}")

    def memop(self):
        """Read-modify-write and loads on a 64-byte area at DATA (hashed by fold)."""
        size = self.r.choice([32, 16, 8])
        ptr = {32: "dword", 16: "word", 8: "byte"}[size]
        off = self.r.randrange(0, 64 - size // 8 + 1)
        mem = f"{ptr} [DATA + {off}]"
        kind = self.r.randrange(6)
        if kind == 0:
            op = self.r.choice(["add", "sub", "and", "or", "xor", "cmp", "adc", "sbb"])
            if op in ("adc", "sbb") and not self.defined & CF:
                op = "sub"
            logic = op in ("and", "or", "xor")
            src = self.reg(size) if self.r.random() < 0.7 else str(self.imm(size))
            self.emit(f"{op} {mem}, {src}", consumes=CF if op in ("adc", "sbb") else 0,
                      sets=ALL & ~AF if logic else ALL, undef=AF if logic else 0)
        elif kind == 1:
            op = self.r.choice(["add", "sub", "xor", "adc"])
            if op == "adc" and not self.defined & CF:
                op = "add"
            logic = op == "xor"
            self.emit(f"{op} {self.reg(size)}, {mem}", consumes=CF if op == "adc" else 0,
                      sets=ALL & ~AF if logic else ALL, undef=AF if logic else 0)
        elif kind == 2:
            op = self.r.choice(["inc", "dec", "neg", "not"])
            sets = {"inc": ALL & ~CF, "dec": ALL & ~CF, "neg": ALL, "not": 0}[op]
            self.emit(f"{op} {mem}", sets=sets)
        elif kind == 3:
            op = self.r.choice(["shl", "shr", "sar", "rol"])
            count = self.r.choice([1, 3, 7])
            ov = OF if count == 1 else 0
            if op == "rol":
                self.emit(f"rol {mem}, {count}", sets=CF | ov, undef=OF & ~ov)
            else:
                self.emit(f"{op} {mem}, {count}", sets=CF | SF | ZF | PF | ov,
                          undef=AF | (OF & ~ov))
        elif kind == 4 and size != 8:
            op = self.r.choice(["xadd", "cmpxchg"])
            self.emit(f"{op} {mem}, {self.reg(size)}", sets=ALL)
        else:
            self.emit(f"mov {self.reg(size)}, {mem}")

    def fold(self):
        self.lines.append(f"        push dword 0x{self.defined:03x}")
        self.lines.append("        call fold")


def main():
    seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    every = len(sys.argv) > 4 and sys.argv[4] == "every"
    g = Gen(random.Random(seed))
    body = [g.alu, g.alu, g.alu, g.unary, g.shift, g.shift, g.shxd, g.mul, g.bits,
            g.consume, g.consume, g.consume, g.move, g.memop, g.memop]
    n = 0
    checkpoint = 0
    while n < count:
        for _ in range(g.r.randint(1, 8)):
            g.r.choice(body)()
            n += 1
        g.fold()
        if every:  # printed inside fold, which restores the flags afterwards
            g.lines[-1] = "        call fold_print"
        elif n // 1000 > checkpoint:
            checkpoint = n // 1000
            g.lines.append(f"        SHOW dword [hash], \"hash after {n} instructions\"")
    head = f"""; generated by gen_randseq.py {seed} {count}: do not edit
%include "lib.inc"

DATA equ 0x300000

main:
        mov edi, DATA
        mov ecx, 16
.init:  mov dword [edi], 0x{g.r.getrandbits(32):08x}
        xor dword [edi], ecx
        add edi, 4
        loop .init
        mov eax, 0x{g.r.getrandbits(32):08x}
        mov ecx, 0x{g.r.getrandbits(32):08x}
        mov edx, 0x{g.r.getrandbits(32):08x}
        mov ebx, 0x{g.r.getrandbits(32):08x}
        mov esi, 0x{g.r.getrandbits(32):08x}
        mov edi, 0x{g.r.getrandbits(32):08x}
        push ebp
        mov ebp, 0x{g.r.getrandbits(32):08x}
"""
    tail = """        pop ebp
        SHOW dword [hash], "final hash"
        ret

; fold(mask): hash = (hash * 16777619) ^ reg for each register and the defined flags
fold_print:
        mov byte [print_fold], 1
fold:
        pushfd
        pushad
        mov ebx, [esp + 32]
        and ebx, [esp + 40]         ; flags & defined mask
        mov ecx, [hash]
        mov esi, 0x01000193
        imul ecx, esi
        xor ecx, ebx
%assign off 0
%rep 8
%if off != 12                       ; skip the pushed esp
        imul ecx, esi
        xor ecx, [esp + off]
%endif
%assign off off + 4
%endrep
%assign off 0
%rep 16
        imul ecx, esi
        xor ecx, [DATA + off]
%assign off off + 4
%endrep
        mov [hash], ecx
        cmp byte [print_fold], 0
        je .quiet
        mov byte [print_fold], 0
        mov eax, ecx
        call print_hex
        call print_nl
.quiet:
        popad
        popfd
        ret 4

        align 4
hash:   dd 0x811C9DC5
print_fold: db 0
"""
    with open(out, "w") as f:
        f.write(head + "\n".join(g.lines) + "\n" + tail)


if __name__ == "__main__":
    main()
