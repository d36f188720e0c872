/** Invariants of the spec catalog, and the SDM notation parser. */
import { describe, expect, it } from 'vitest';
import {
  expandForm,
  formsByMnemonic,
  formsByName,
  formsWithOpcode,
  instructionFamilies,
  instructionForms,
  parseFlags,
  parseOpcode,
  registerInfo,
} from '../../src/isa/index.js';

describe('the catalog', () => {
  it('gives every form a unique, stable, iced-style name', () => {
    expect(formsByName().size).toBe(instructionForms().length);
    for (const form of instructionForms()) expect(form.name).toMatch(/^[A-Z0-9]+(_[A-Za-z0-9]+)*$/);
    // A few names other code and golden files rely on.
    for (const name of [
      'ADD_rm32_r32',
      'ADD_rm64_imm8',
      'MOV_r64_imm64',
      'JMP_rel32_64',
      'PUSH_r64',
      'ANDN_r64_r64_rm64',
    ]) {
      expect(formsByName().has(name), name).toBe(true);
    }
  });

  it('finds the forms of an opcode byte (what the decoder loads lazily) exactly as the whole catalog has them', () => {
    let slots = 0;
    for (const space of ['legacy', 'vex'] as const) {
      for (const map of ['legacy', '0F', '0F38', '0F3A'] as const) {
        for (let opcode = 0; opcode < 256; opcode++) {
          const expected = instructionForms().filter(
            (form) =>
              form.space === space &&
              form.map === map &&
              opcode >= form.opcode &&
              opcode < form.opcode + (form.opcodeRegister ? 8 : 1),
          );
          const found = formsWithOpcode(space, map, opcode);
          expect(found.length, `${space} ${map} ${opcode.toString(16)}`).toBe(expected.length);
          for (const [index, form] of found.entries()) expect(form).toBe(expected[index]); // same objects, same order
          if (found.length > 0) slots++;
        }
      }
    }
    expect(slots).toBeGreaterThan(300);
  });

  it('declares each family once, with a summary and at least one form valid in some mode', () => {
    const families = new Set<string>();
    for (const family of instructionFamilies) {
      expect(families.has(family.family), family.family).toBe(false);
      families.add(family.family);
      expect(family.summary.length).toBeGreaterThan(2);
      expect(instructionForms().some((form) => form.family === family)).toBe(true);
    }
    for (const form of instructionForms()) expect(form.modes.length).toBeGreaterThan(0);
  });

  it('covers the scope of issue 3', () => {
    const mnemonics = [
      ...'mov movzx movsx movsxd lea xchg xadd cmpxchg cmpxchg8b cmpxchg16b push pop pushf popf pusha popa enter leave'.split(
        ' ',
      ),
      ...'add adc sub sbb and or xor cmp test neg not inc dec mul imul div idiv'.split(' '),
      ...'shl sal shr sar rol ror rcl rcr shld shrd bt bts btr btc bsf bsr lzcnt tzcnt popcnt'.split(' '),
      ...'andn bextr blsi blsmsk blsr bzhi mulx pdep pext rorx sarx shlx shrx adcx adox movbe crc32 bswap'.split(
        ' ',
      ),
      ...'sete cmove je jmp call ret loop loope loopne jcxz jecxz jrcxz'.split(' '),
      ...'movsb stosq lodsw scasd cmpsb clc stc cmc cld std lahf sahf cbw cwde cdqe cwd cdq cqo xlatb'.split(
        ' ',
      ),
      ...'daa das aaa aas aam aad bound into arpl nop pause endbr32 endbr64 ud2 int3 int hlt cpuid rdtsc syscall sysenter'.split(
        ' ',
      ),
    ];
    const missing = mnemonics.filter((mnemonic) => !formsByMnemonic().has(mnemonic));
    expect(missing).toEqual([]);
  });

  it('lists flags only with known letters and never both set and cleared', () => {
    for (const form of instructionForms()) {
      const { set, cleared, written } = form.flags;
      expect(
        set.filter((flag) => cleared.includes(flag)),
        form.name,
      ).toEqual([]);
      expect(
        written.filter((flag) => set.includes(flag) || cleared.includes(flag)),
        form.name,
      ).toEqual([]);
    }
    expect(formsByName().get('ADC_rm32_r32')!.flags).toEqual({
      read: ['c'],
      written: ['o', 's', 'z', 'a', 'p', 'c'],
      set: [],
      cleared: [],
      undefined: [],
    });
    expect(formsByName().get('DIV_rm32')!.flags.undefined).toEqual(['o', 's', 'z', 'a', 'p', 'c']);
    expect(formsByName().get('JBE_rel8_64')!.flags.read).toEqual(['z', 'c']);
  });

  it('expands operand sizes with the modes each size exists in', () => {
    expect(formsByName().get('PUSH_r32')!.modes).toEqual([16, 32]);
    expect(formsByName().get('PUSH_r64')!.modes).toEqual([64]);
    expect(formsByName().get('ADD_rm64_r64')!.modes).toEqual([64]);
    expect(formsByName().get('INC_r32')!.modes).toEqual([16, 32]);
    expect(formsByName().get('MOV_rm64_imm32')!.operands[1]).toMatchObject({
      encodedSize: 32,
      size: 64,
      signExtended: true,
    });
    expect(formsByName().get('ADD_rm16_imm8')!.operands[1]).toMatchObject({
      encodedSize: 8,
      size: 16,
      signExtended: true,
    });
  });
});

describe('the SDM notation', () => {
  it('parses prefixes, maps, opcode extensions, fixed ModRM bytes and VEX headers', () => {
    expect(parseOpcode('REX.W 0F C7 /1')).toMatchObject({
      map: '0F',
      opcode: 0xc7,
      modrmReg: 1,
      operandSize: 64,
    });
    expect(parseOpcode('F3 0F 1E FA')).toMatchObject({
      mandatoryPrefix: 'F3',
      modrmFixed: 0xfa,
      modrmReg: 7,
    });
    expect(parseOpcode('VEX.LZ.F2.0F38 F6 /r')).toMatchObject({
      space: 'vex',
      map: '0F38',
      mandatoryPrefix: 'F2',
      vexL: 0,
      opcode: 0xf6,
    });
    expect(parseOpcode('0F 40+cc /r')).toMatchObject({ plusCondition: true, opcode: 0x40 });
    expect(parseOpcode('a32 E3')).toMatchObject({ addressSize: 32, opcode: 0xe3 });
    expect(() => parseOpcode('0F ZZ')).toThrow(/bad opcode token/);
    expect(() => parseOpcode('VEX.LZ F2')).toThrow(/without map/);
  });

  it('parses iced-style flag letters', () => {
    expect(parseFlags('r=c w=oszp 0=d 1=i u=a')).toEqual({
      read: ['c'],
      written: ['o', 's', 'z', 'p'],
      cleared: ['d'],
      set: ['i'],
      undefined: ['a'],
    });
    expect(() => parseFlags('w=q')).toThrow(/bad flag letters/);
    expect(() => parseFlags('x=c')).toThrow(/bad flag key/);
  });

  it('expands one declaration into one form per size and condition', () => {
    const family = { family: 'test', mnemonic: 'set{cc}', summary: 'test family', forms: [] };
    const forms = expandForm(family, { opcode: '0F 90+cc /r', operands: ['Eb'] });
    expect(forms.map((form) => form.mnemonic)).toEqual([
      'seto',
      'setno',
      'setb',
      'setae',
      'sete',
      'setne',
      'setbe',
      'seta',
      'sets',
      'setns',
      'setp',
      'setnp',
      'setl',
      'setge',
      'setle',
      'setg',
    ]);
    expect(forms[2].flags.read).toEqual(['c']);
  });
});

describe('registers', () => {
  it('knows REX rules and aliasing', () => {
    expect(registerInfo('SPL')).toMatchObject({ width: 8, number: 4, needsRex: true, container: 'rsp' });
    expect(registerInfo('ah')).toMatchObject({
      width: 8,
      number: 4,
      forbidsRex: true,
      bitOffset: 8,
      container: 'rax',
    });
    expect(registerInfo('r13d')).toMatchObject({ width: 32, number: 13, needsRex: true, container: 'r13' });
    expect(registerInfo('gs')).toMatchObject({ class: 'segment', number: 5 });
    expect(registerInfo('xmm0')).toBeUndefined();
  });
});
