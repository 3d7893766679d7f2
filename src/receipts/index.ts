export {
  createReceipt,
  type RatingToSign,
  type ReceiptBody,
  type ReceiptRating,
  rateReceipt,
  receiptRatingType,
  receiptType,
  signRatings,
  type VerifiedReceipt,
  verifyReceipt,
} from './receipt.js';
export {
  decodeRatingRecord,
  decodeReceiptRecord,
  RATING_RECORD_SIZE,
  type RatingRecord,
  RECEIPT_RECORD_SIZE,
  type ReceiptRecord,
  ratingRecordCodec,
  receiptRecordCodec,
} from './receipt-record.js';
