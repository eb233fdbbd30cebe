import { Random } from '../util/random.js';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '罗', '高', '林'];
const GIVEN = ['子', '涵', '浩', '宇', '欣', '怡', '梓', '轩', '雨', '晨', '思', '嘉', '博', '文', '佳', '俊', '一', '诺', '明', '婷', '磊', '娜', '鑫', '悦'];
const GUARDIANS = ['父亲', '母亲', '祖父', '祖母', '外祖父', '外祖母'];

/**
 * A synthetic student's name, guardian and phone, drawn from a stream of their own so that a district
 * with names is the same district. Phones start 100 (no real mobile number does) so nobody is ever rung.
 */
export function syntheticContact(seed: number, index: number): [name: string, guardian: string, phone: string] {
  const r = new Random(seed, 9, index);
  const surname = r.pick(SURNAMES);
  const given = Array.from({ length: r.int(1, 2) }, () => r.pick(GIVEN)).join('');
  const guardian = `${surname}${r.pick(GIVEN)}（${r.pick(GUARDIANS)}）`;
  const phone = `100${String(r.int(0, 99_999_999)).padStart(8, '0')}`;
  return [`${surname}${given}`, guardian, phone];
}
