//! The bytes a page's memo key hashes: any serializable value, written
//! compactly and unambiguously.
//!
//! A rebuild decides which pages to keep by hashing what each page's
//! template would see. That was JSON, and escaping every string of 19,000
//! page contexts was a third of a no-change rebuild's rendering. Here each
//! value is a tag byte and its raw bytes (strings with their length, no
//! escaping), sequences and maps closed by an end tag: two different
//! values never give the same bytes, which is all a key needs.

use serde::ser::{self, Serialize};

/// Appends the encoding of `value` to `out`.
pub fn encode<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // Writing into memory cannot fail, and every value the pages use
    // serializes (it is what the templates get); should one ever fail,
    // its error message goes into the key instead.
    if let Err(Failed(message)) = value.serialize(&mut Encoder { out }) {
        out.push(tag::FAILED);
        str(out, &message);
    }
}

mod tag {
    pub const BOOL: u8 = 1;
    pub const INT: u8 = 2;
    pub const UINT: u8 = 3;
    pub const INT128: u8 = 4;
    pub const UINT128: u8 = 5;
    pub const FLOAT: u8 = 6;
    pub const CHAR: u8 = 7;
    pub const STR: u8 = 8;
    pub const BYTES: u8 = 9;
    pub const NONE: u8 = 10;
    pub const SOME: u8 = 11;
    pub const UNIT: u8 = 12;
    pub const UNIT_STRUCT: u8 = 13;
    pub const UNIT_VARIANT: u8 = 14;
    pub const NEWTYPE_VARIANT: u8 = 15;
    pub const SEQ: u8 = 16;
    pub const END_SEQ: u8 = 17;
    pub const TUPLE_VARIANT: u8 = 18;
    pub const MAP: u8 = 19;
    pub const END_MAP: u8 = 20;
    pub const STRUCT_VARIANT: u8 = 21;
    pub const FAILED: u8 = 0xff;
}

fn str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

#[derive(Debug)]
pub struct Failed(String);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failed {}

impl ser::Error for Failed {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Failed(msg.to_string())
    }
}

struct Encoder<'a> {
    out: &'a mut Vec<u8>,
}

impl Encoder<'_> {
    fn tagged(&mut self, tag: u8, bytes: &[u8]) -> Result<(), Failed> {
        self.out.push(tag);
        self.out.extend_from_slice(bytes);
        Ok(())
    }

    fn named(&mut self, tag: u8, name: &str) {
        self.out.push(tag);
        str(self.out, name);
    }
}

macro_rules! widen {
    ($($method:ident($narrow:ty) => $wide:ident),* $(,)?) => {$(
        fn $method(self, v: $narrow) -> Result<(), Failed> {
            self.$wide(v.into())
        }
    )*};
}

impl<'a, 'b> ser::Serializer for &'a mut Encoder<'b> {
    type Ok = ();
    type Error = Failed;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    // Narrow numbers are encoded as their widest kind.
    widen!(
        serialize_i8(i8) => serialize_i64,
        serialize_i16(i16) => serialize_i64,
        serialize_i32(i32) => serialize_i64,
        serialize_u8(u8) => serialize_u64,
        serialize_u16(u16) => serialize_u64,
        serialize_u32(u32) => serialize_u64,
        serialize_f32(f32) => serialize_f64,
    );

    fn serialize_bool(self, v: bool) -> Result<(), Failed> {
        self.tagged(tag::BOOL, &[v as u8])
    }
    fn serialize_i64(self, v: i64) -> Result<(), Failed> {
        self.tagged(tag::INT, &v.to_le_bytes())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Failed> {
        self.tagged(tag::INT128, &v.to_le_bytes())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Failed> {
        self.tagged(tag::UINT, &v.to_le_bytes())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Failed> {
        self.tagged(tag::UINT128, &v.to_le_bytes())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Failed> {
        self.tagged(tag::FLOAT, &v.to_bits().to_le_bytes())
    }
    fn serialize_char(self, v: char) -> Result<(), Failed> {
        self.tagged(tag::CHAR, &u32::from(v).to_le_bytes())
    }
    fn serialize_str(self, v: &str) -> Result<(), Failed> {
        self.named(tag::STR, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Failed> {
        self.out.push(tag::BYTES);
        self.out.extend_from_slice(&(v.len() as u64).to_le_bytes());
        self.out.extend_from_slice(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Failed> {
        self.tagged(tag::NONE, &[])
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Failed> {
        self.out.push(tag::SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Failed> {
        self.tagged(tag::UNIT, &[])
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Failed> {
        self.named(tag::UNIT_STRUCT, name);
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Failed> {
        self.named(tag::UNIT_VARIANT, variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Failed> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Failed> {
        self.named(tag::NEWTYPE_VARIANT, variant);
        value.serialize(self)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, Failed> {
        self.out.push(tag::SEQ);
        Ok(self)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self, Failed> {
        self.out.push(tag::SEQ);
        Ok(self)
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self, Failed> {
        self.out.push(tag::SEQ);
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self, Failed> {
        self.named(tag::TUPLE_VARIANT, variant);
        Ok(self)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self, Failed> {
        self.out.push(tag::MAP);
        Ok(self)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, Failed> {
        self.out.push(tag::MAP);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self, Failed> {
        self.named(tag::STRUCT_VARIANT, variant);
        Ok(self)
    }
}

/// The element-by-element traits: each element is encoded in turn, and
/// the end tag closes the run.
macro_rules! elements {
    ($($trait:ident :: $method:ident => $end:expr),* $(,)?) => {$(
        impl ser::$trait for &mut Encoder<'_> {
            type Ok = ();
            type Error = Failed;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failed> {
                value.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Failed> {
                self.tagged($end, &[])
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element => tag::END_SEQ,
    SerializeTuple::serialize_element => tag::END_SEQ,
    SerializeTupleStruct::serialize_field => tag::END_SEQ,
    SerializeTupleVariant::serialize_field => tag::END_SEQ,
);

/// The named-field traits: each field is its name, then its value.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for &mut Encoder<'_> {
            type Ok = ();
            type Error = Failed;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Failed> {
                self.named(tag::STR, key);
                value.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Failed> {
                self.tagged(tag::END_MAP, &[])
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for &mut Encoder<'_> {
    type Ok = ();
    type Error = Failed;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Failed> {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failed> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Failed> {
        self.tagged(tag::END_MAP, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::encode;
    use serde_json::json;

    fn bytes<T: serde::Serialize>(v: &T) -> Vec<u8> {
        let mut out = Vec::new();
        encode(v, &mut out);
        out
    }

    /// Values JSON would tell apart are told apart, and some it would not
    /// (a number and the same digits as a string).
    #[test]
    fn different_values_give_different_bytes() {
        let values = [
            json!(null),
            json!(true),
            json!(1),
            json!(-1),
            json!(1.5),
            json!("1"),
            json!(""),
            json!([]),
            json!({}),
            json!(["a", "b"]),
            json!(["ab"]),
            json!(["a", ["b"]]),
            json!([["a"], "b"]),
            json!({"a": "b"}),
            json!({"ab": ""}),
            json!({"a": {"b": null}}),
            json!({"a": null, "b": null}),
        ];
        for (i, a) in values.iter().enumerate() {
            for (j, b) in values.iter().enumerate() {
                assert_eq!(i == j, bytes(a) == bytes(b), "{a} vs {b}");
            }
        }
        // Concatenated, as a memo key adds values one after another.
        let mut ab = bytes(&"a");
        ab.extend(bytes(&"bc"));
        let mut abc = bytes(&"ab");
        abc.extend(bytes(&"c"));
        assert_ne!(ab, abc);
    }

    #[test]
    fn equal_values_give_equal_bytes() {
        #[derive(serde::Serialize)]
        struct Page<'a> {
            title: &'a str,
            tags: Vec<&'a str>,
            date: Option<u32>,
        }
        let page = |t| Page {
            title: t,
            tags: vec!["x", "y"],
            date: Some(2024),
        };
        assert_eq!(bytes(&page("a")), bytes(&page("a")));
        assert_ne!(bytes(&page("a")), bytes(&page("b")));
    }
}
